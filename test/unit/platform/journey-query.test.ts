import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { journeyQuery } from '../../../platform/temporal/journeys';

describe('journey visibility query', () => {
  it('selects journey workflows only', () => {
    assert.equal(
      journeyQuery({}),
      "WorkflowType IN ('cartAbandonmentWorkflow', 'browseAbandonmentWorkflow', 'churnRetentionWorkflow', " +
        "'postPurchaseWorkflow')",
    );
  });

  it('combines filters with AND', () => {
    const query = journeyQuery({
      customerId: 'c-1',
      campaign: 'cart-abandonment',
      stage: 'paused',
      status: 'Running',
      outcome: 'cancelled',
    });
    assert.match(
      query,
      new RegExp(
        " AND CustomerId = 'c-1' AND CampaignType = 'cart-abandonment' AND JourneyStage = 'paused' " +
          "AND Outcome = 'cancelled' AND ExecutionStatus = 'Running'$",
      ),
    );
  });

  it('escapes quotes and backslashes so a customer ID cannot change the query', () => {
    assert.match(journeyQuery({ customerId: "o'brien\\' OR 1=1" }), /CustomerId = 'o\\'brien\\\\\\' OR 1=1'$/);
  });
});
