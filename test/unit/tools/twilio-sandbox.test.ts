import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { findOurMessage } from '../../../activities/sms';
import {
  TWILIO_SANDBOX_ACCOUNT_SID,
  TWILIO_SANDBOX_AUTH_TOKEN,
  TwilioSandbox,
} from '../../../tools/sandbox/twilio-sandbox';

/** The local Twilio stand-in, driven by the official client the way the SMS activity drives it. */
describe('local Twilio-compatible server', () => {
  const fake = new TwilioSandbox();
  let client: ReturnType<typeof twilio>;

  before(async () => {
    await fake.start();
    client = twilio(TWILIO_SANDBOX_ACCOUNT_SID, TWILIO_SANDBOX_AUTH_TOKEN, { autoRetry: false });
    client.api.baseUrl = fake.baseUrl;
  });
  after(async () => {
    await fake.stop();
  });

  it('creates a message with the official client and fetches it back', async () => {
    const created = await client.messages.create({ to: '+14155550100', from: '+15005550006', body: 'hello' });
    assert.match(created.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(created.status, 'queued');
    const fetched = await client.messages(created.sid).fetch();
    assert.deepEqual([fetched.to, fetched.body], ['+14155550100', 'hello']);
  });

  it('answers like Twilio to bad credentials, a bad number and scripted failures', async () => {
    const stranger = twilio(TWILIO_SANDBOX_ACCOUNT_SID, 'wrong-token-000', { autoRetry: false });
    stranger.api.baseUrl = fake.baseUrl;
    await assert.rejects(stranger.messages.create({ to: '+14155550100', from: '+15005550006', body: 'x' }), {
      status: 401,
      code: 20003,
    });
    await assert.rejects(client.messages.create({ to: '12345', from: '+15005550006', body: 'x' }), {
      status: 400,
      code: 21211,
    });
    fake.failNext({ status: 503, code: 20503 });
    await assert.rejects(client.messages.create({ to: '+14155550101', from: '+15005550006', body: 'x' }), {
      status: 503,
    });
    assert.equal(fake.to('+14155550101').length, 0);
  });

  it('lists what it received, newest first, as an inbox', async () => {
    await client.messages.create({ to: '+14155550102', from: '+15005550006', body: 'first' });
    await client.messages.create({ to: '+14155550102', from: '+15005550006', body: 'second' });
    const response = await fetch(`${fake.baseUrl}/sandbox/messages`);
    assert.equal(response.status, 200);
    const { messages } = (await response.json()) as {
      messages: Array<{ to: string; body: string; receivedAt: string }>;
    };
    assert.deepEqual(
      messages.filter((message) => message.to === '+14155550102').map((message) => message.body),
      ['second', 'first'],
    );
    assert.ok(messages.every((message) => !Number.isNaN(Date.parse(message.receivedAt))));
  });

  it(
    'answers the Messages list API, filtered by To and DateSent>, ' + 'in the shape the official client parses',
    async () => {
      const since = new Date(Date.now() - 1_000);
      const mine = await client.messages.create({ to: '+14155550103', from: '+15005550006', body: 'listed' });
      await client.messages.create({ to: '+14155550104', from: '+15005550006', body: 'someone else' });
      const listed = await client.messages.list({ to: '+14155550103', dateSentAfter: since, limit: 20 });
      assert.deepEqual(
        listed.map((message) => [message.sid, message.body, message.to]),
        [[mine.sid, 'listed', '+14155550103']],
      );
      assert.ok(listed[0]!.dateSent instanceof Date && listed[0]!.dateSent.getTime() >= since.getTime() - 1_000);
      assert.deepEqual(
        await client.messages.list({ to: '+14155550103', dateSentAfter: new Date(Date.now() + 60_000) }),
        [],
      );
      const stranger = twilio(TWILIO_SANDBOX_ACCOUNT_SID, 'wrong-token-000', { autoRetry: false });
      stranger.api.baseUrl = fake.baseUrl;
      await assert.rejects(stranger.messages.list({ to: '+14155550103' }), { status: 401, code: 20003 });
    },
  );

  it('can accept a message and then answer 502 or 504, as a gateway that lost the answer', async () => {
    fake.acceptThenFailNext(502, 504);
    await assert.rejects(client.messages.create({ to: '+14155550105', from: '+15005550006', body: 'kept' }), {
      status: 502,
    });
    await assert.rejects(client.messages.create({ to: '+14155550105', from: '+15005550006', body: 'kept too' }), {
      status: 504,
    });
    assert.deepEqual(
      fake.to('+14155550105').map((message) => message.body),
      ['kept', 'kept too'],
      'the provider has both messages',
    );
  });

  it('can accept a message and never answer', async () => {
    const impatient = twilio(TWILIO_SANDBOX_ACCOUNT_SID, TWILIO_SANDBOX_AUTH_TOKEN, { autoRetry: false, timeout: 300 });
    impatient.api.baseUrl = fake.baseUrl;
    fake.acceptThenFailNext('hang');
    await assert.rejects(impatient.messages.create({ to: '+14155550106', from: '+15005550006', body: 'silent' }), {
      code: 'ECONNABORTED',
    });
    assert.equal(fake.to('+14155550106').length, 1);
  });

  it('can refuse the credentials for a while (an expired or rotated token)', async () => {
    fake.refuseCredentials(true);
    await assert.rejects(client.messages.create({ to: '+14155550107', from: '+15005550006', body: 'x' }), {
      status: 401,
      code: 20003,
    });
    fake.refuseCredentials(false);
    await client.messages.create({ to: '+14155550107', from: '+15005550006', body: 'y' });
    assert.deepEqual(
      fake.to('+14155550107').map((message) => message.body),
      ['y'],
    );
  });

  it('lets the SMS activity find its own message, tell it from others, and prove one absent', async () => {
    const since = Date.now() - 1_000;
    const ours = { to: '+14155550108', body: 'Ann, your cart is saved', sender: '+15005550006', viaService: false };
    assert.equal(await findOurMessage(client, ours, since), null, 'nothing sent yet: provably absent');
    await client.messages.create({ to: ours.to, from: '+15005550099', body: ours.body });
    await client.messages.create({ to: ours.to, from: ours.sender, body: 'another text' });
    assert.equal(await findOurMessage(client, ours, since), null, 'another sender or another body is not ours');
    const sent = await client.messages.create({ to: ours.to, from: ours.sender, body: ours.body });
    assert.equal(await findOurMessage(client, ours, since), sent.sid);
    assert.equal(
      await findOurMessage(client, ours, Date.now() + 60_000),
      null,
      'sent before the reservation: not ours',
    );
  });

  it("does not claim absence when the recipient's newest messages do not reach back to the reservation", async () => {
    const ours = { to: '+14155550109', body: 'ours', sender: '+15005550006', viaService: false };
    const since = Date.now() - 1_000;
    for (let n = 0; n < 50; n += 1)
      await client.messages.create({ to: ours.to, from: ours.sender, body: `other ${n}` });
    await assert.rejects(findOurMessage(client, ours, since), /do not reach back/);
  });
});
