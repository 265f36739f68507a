import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_TYPES } from '../../contract/campaigns';
import { cancelJourneySignal, journeyWorkflowId } from '../../contract/journeys';
import { TestApp } from '../support/app';
import { cartUpdated, customerUpdated, mug } from '../support/events';
import { ancestry, findTraces, traceSpans, type StoredSpan } from '../support/jaeger';
import { messagesTo } from '../support/mailpit';
import { eventually, requireServices, runId, stackEnv } from '../support/services';
import { bundleWorkflowsInChild } from '../../workers/bundle-workflows';

/**
 * One customer's trace, fetched from the real trace backend (Jaeger): the bridge's consume of the
 * Kafka message, the journey it starts, the send activity and the SMTP call are spans of one trace,
 * each the descendant of the one before.
 */
describe('traces from the Kafka message to the provider call', () => {
  const service = `campaigns-traces-${runId}`;
  const app = new TestApp('traces', {
    OTEL_EXPORTER_OTLP_ENDPOINT: stackEnv.otlp,
    OTEL_SERVICE_NAME: service,
    CAMPAIGN_SETTINGS: JSON.stringify({
      'cart-abandonment': { firstReminderDelay: '1s', secondReminderDelay: '1 day' },
    }),
  });

  before(async () => {
    await requireServices(['jaeger']);
    await app.start();
  });
  after(async () => {
    await app.stop();
  });

  async function abandonCart(customerId: string, headers?: Record<string, string>): Promise<void> {
    const email = `${customerId}@example.test`;
    await app.produce([customerUpdated(customerId, { email, firstName: 'Tess', emailOptIn: true })]);
    await app.produceRaw([{ key: customerId, value: JSON.stringify(cartUpdated(customerId, [mug])), headers }]);
    await eventually(
      'the reminder email',
      () => messagesTo(email),
      (list) => list.length > 0,
      30_000,
    );
    await app.client.workflow
      .getHandle(journeyWorkflowId('cart-abandonment', customerId))
      .signal(cancelJourneySignal, { reason: 'test cleanup' });
  }

  /** Asserts the chain from the provider call up to the consume span, and returns the provider span. */
  function assertOneChain(spans: StoredSpan[]): StoredSpan {
    const providerCall = spans.find((span) => span.name === 'email provider call');
    assert.ok(providerCall, `no provider call span in the trace: ${spans.map((span) => span.name).join(', ')}`);
    assert.equal(new Set(spans.map((span) => span.traceId)).size, 1, 'every span belongs to one trace');
    const chain = ancestry(spans, providerCall);
    const journey = WORKFLOW_TYPES['cart-abandonment'];
    // The send's first attempt: a local activity in the journey's workflow task (docs/DELIVERY.md).
    const expected = [
      'email provider call',
      'RunActivity:planThenSend',
      'StartActivity:planThenSend',
      `RunWorkflow:${journey}`,
      `SignalWithStartWorkflow:${journey}`,
      `${app.eventsTopic} process`,
    ];
    assert.deepEqual(
      chain.slice(0, expected.length),
      expected,
      `the provider call's ancestry, from the span up: ${chain.join(' <- ')}`,
    );
    return providerCall;
  }

  it("continues the producer's trace when the message carries a traceparent header", async () => {
    const customerId = `traced-${runId}`;
    const traceId = randomBytes(16).toString('hex');
    const producerSpanId = randomBytes(8).toString('hex');
    await abandonCart(customerId, { traceparent: `00-${traceId}-${producerSpanId}-01` });

    const spans = await eventually(
      `trace ${traceId} to reach Jaeger with its provider call`,
      () => traceSpans(traceId),
      (found) => found.some((span) => span.name === 'email provider call'),
      20_000,
      500,
    );
    const providerCall = assertOneChain(spans);
    assert.equal(providerCall.traceId, traceId);
    const consume = spans.find((span) => span.name === `${app.eventsTopic} process`)!;
    assert.equal(consume.parentId, producerSpanId, "the consume span is the child of the producer's span");
    assert.equal(consume.attributes['campaigns.customer.id'], customerId);
    assert.equal(consume.attributes['campaigns.event.type'], 'cart.updated');
    assert.equal(providerCall.service, service);
  });

  it('leaves a history a worker without tracing replays (tracing can be turned off under journeys)', async () => {
    const workflowId = journeyWorkflowId('cart-abandonment', `traced-${runId}`);
    const history = await app.client.workflow.getHandle(workflowId).fetchHistory();
    assert.ok((history.events ?? []).length > 10, 'the traced journey ran: entry, a timer, the send');
    const untraced = await bundleWorkflowsInChild({ tracing: false });
    await Worker.runReplayHistory({ workflowBundle: { code: untraced } }, history, workflowId);
  });

  it('starts a trace at the bridge when the message carries none', async () => {
    const customerId = `untraced-${runId}`;
    await abandonCart(customerId);

    const [spans] = await eventually(
      `a trace of ${customerId}'s cart to reach Jaeger with its provider call`,
      async () =>
        (
          await findTraces(service, { 'campaigns.customer.id': customerId, 'campaigns.event.type': 'cart.updated' })
        ).filter((found) => found.some((span) => span.name === 'email provider call')),
      (found) => found.length > 0,
      20_000,
      500,
    );
    assertOneChain(spans!);
    const consume = spans!.find((span) => span.name === `${app.eventsTopic} process`)!;
    assert.equal(consume.parentId, null, 'without a traceparent the consume span is the root');
  });
});
