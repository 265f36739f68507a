import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MIN_CONTINUE_AS_NEW_AFTER_EVENTS } from '../../contract/settings/overrides';
import { StubJourneyEnv } from '../support/stub-journey-env';

const MINUTE = 60_000;

/**
 * docs/JOURNEYS.md: "Every hold (pause, quiet hours) lasts at least a second and checks whether the
 * journey should continue as new, so no policy answer can make a journey spin." Checked at the
 * smallest continueAsNewAfterEvents the settings accept: below a fresh run's own first events (the
 * settings once accepted 10), each new run continued as new before holding, again and again
 * (36 plans in 2 s of journey time, with a recheck every minute).
 */
const continueAsNewAfterEvents = MIN_CONTINUE_AS_NEW_AFTER_EVENTS;
describe(
  `a held send does not spin (continueAsNewAfterEvents ` + `${continueAsNewAfterEvents}, stubbed activities)`,
  () => {
    const t = new StubJourneyEnv(`spin-${continueAsNewAfterEvents}`, {
      'browse-abandonment': { emailDelay: '1 min', pauseRecheck: '1 min', continueAsNewAfterEvents },
      // Email quiet all day but a minute, in UTC: a browse email is held for up to a day.
      contact: { quietHours: { email: { start: '00:00', end: '23:59' } }, defaultTimezone: 'UTC' },
    });
    before(async () => {
      await t.start();
    });
    after(async () => {
      await t.stop();
    });

    /** Plans of the customer's send over ~2 s of real time (journey time runs at real speed: nothing skips it). */
    async function plansWhileHeld(customerId: string): Promise<{ plans: number; journeyMs: number }> {
      const plansBefore = t.world.callsOf(customerId, 'planSend').length;
      const startedAt = await t.now();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return {
        plans: t.world.callsOf(customerId, 'planSend').length - plansBefore,
        journeyMs: (await t.now()) - startedAt,
      };
    }

    void it('holds a paused send with one plan per pauseRecheck', async () => {
      const { customerId } = t.customer('paused');
      await t.journeys.startOrSignal(
        'browse-abandonment',
        await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' }),
      );
      await t.until(
        'the journey to enter',
        () => t.state('browse-abandonment', customerId),
        (state) => state.stage === 'waiting_for_browse_email',
      );
      t.world.pause('browse-abandonment');
      try {
        await t.env.sleep(MINUTE);
        await t.until(
          'the first paused plan',
          () => t.world.callsOf(customerId, 'planSend').some((call) => call.detail === 'email:paused'),
          Boolean,
        );
        const { plans, journeyMs } = await plansWhileHeld(customerId);
        assert.ok(
          plans <= Math.ceil(journeyMs / MINUTE) + 1,
          `${plans} plans in ${journeyMs} ms of journey time (recheck every minute)`,
        );
      } finally {
        t.world.resume('browse-abandonment');
        await t.journeys.cancel('browse-abandonment', customerId, 'test cleanup');
      }
    });

    void it('holds a send in quiet hours with one plan per window', async () => {
      const { customerId } = t.customer('quiet');
      await t.journeys.startOrSignal(
        'browse-abandonment',
        await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' }),
      );
      await t.env.sleep(MINUTE);
      await t.until(
        'the first quiet-hours plan',
        () => t.world.callsOf(customerId, 'planSend').some((call) => call.detail === 'email:quiet_hours'),
        Boolean,
      );
      const { plans, journeyMs } = await plansWhileHeld(customerId);
      await t.journeys.cancel('browse-abandonment', customerId, 'test cleanup');
      assert.ok(plans <= 1, `${plans} plans in ${journeyMs} ms of journey time (the window ends at 23:59)`);
    });
  },
);
