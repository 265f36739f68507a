import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, type Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer, { type Transporter } from 'nodemailer';
import { createActivities } from '../../activities';
import { smtpTransportOptions } from '../../activities/channel-settings';
import type { SendOutcome } from '../../activities/delivery';
import type { FeedbackEvent } from '../../contract/events';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import { applyFeedback } from '../../platform/db/feedback';
import { liftSuppression, listSuppressions } from '../../platform/db/suppressions';
import { createLogger } from '../../platform/logger';
import { connectTemporal } from '../../platform/temporal/connection';
import { temporalConnectionOptions } from '../../platform/temporal/connection-options';
import { activityDependencies } from '../../workers/build-worker';
import { contactableCustomer } from '../support/customers';
import { messagesTo } from '../support/mailpit';
import { eventually, requireServices, runId } from '../support/services';

/** deliver() itself, with the real ledger and SMTP: a hard-bounced address gets nothing more until it is lifted. */
describe('a send to a suppressed address', () => {
  // No frequency cap: only the suppression may hold a send back.
  const config = loadConfig(workerConfigSchema, {
    ...process.env,
    CAMPAIGN_SETTINGS: JSON.stringify({ contact: { frequencyCap: 0 } }),
  });
  let db: Db;
  let connection: Connection;
  let mailer: Transporter;
  let activities: ReturnType<typeof createActivities>;

  before(async () => {
    await requireServices(['postgres', 'temporal', 'smtp', 'mailpit']);
    db = createDb(config.DATABASE_URL, 2);
    await migrateToLatest(db);
    connection = await connectTemporal(temporalConnectionOptions(config));
    mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, false));
    activities = createActivities(
      activityDependencies(config, {
        db,
        mailer,
        temporal: new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
        logger: createLogger('suppressed-send', 'warn'),
      }),
    );
  });
  after(async () => {
    mailer?.close();
    await connection?.close();
    await db?.destroy();
  });

  it('is skipped as suppressed after a hard bounce, and goes again once the suppression is lifted', async () => {
    const { customerId, email } = await contactableCustomer(db, 'bounced');
    const send = (step: string): Promise<SendOutcome> =>
      new MockActivityEnvironment().run(activities.sendEmail, {
        idempotencyKey: `cart-abandonment:${customerId}:j-${runId}:${step}:email`,
        campaign: 'cart-abandonment',
        customerId,
        step,
        atMs: Date.now(),
        template: { id: 'cart-reminder' as const, items: [{ productId: 'p', name: 'Mug', quantity: 1, price: 5 }] },
      });

    const first = await send('reminder-1');
    assert.equal(first.status, 'sent', JSON.stringify(first));
    const bounce = {
      eventId: `bounce-${customerId}`,
      type: 'message.bounced',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: {
        messageId: first.status === 'sent' ? first.messageId : '',
        channel: 'email',
        campaign: 'cart-abandonment',
        step: 'reminder-1',
        journeyId: `j-${runId}`,
        provider: 'sendgrid',
        bounceType: 'hard',
        reason: '550 5.1.1 user unknown',
      },
    } satisfies FeedbackEvent;
    // No address in the event: the customer's current email is suppressed.
    assert.equal(await applyFeedback(db, bounce), 'delivery recorded; email address suppressed (hard_bounce)');

    assert.deepEqual(await send('reminder-2'), {
      status: 'not_sent',
      reason: 'skipped: suppressed: hard_bounce (sendgrid)',
    });

    const [suppression] = (await listSuppressions(db, { channel: 'email', address: email, limit: 1 })).suppressions;
    assert.ok(suppression);
    await liftSuppression(db, suppression.id, { by: 'test', note: 'the mailbox exists again' });
    const third = await send('reminder-3');
    assert.equal(third.status, 'sent', JSON.stringify(third));
    await eventually(
      'the two messages sent, and only those',
      () => messagesTo(email),
      (messages) => messages.length === 2,
      10_000,
    );
  });
});
