import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { TWILIO_SANDBOX_ACCOUNT_SID, TWILIO_SANDBOX_AUTH_TOKEN, TwilioSandbox } from '../../sandbox/twilio-sandbox';

/** The local Twilio stand-in, driven by the official client the way the SMS activity drives it. */
describe('local Twilio-compatible server', () => {
  const fake = new TwilioSandbox();
  let client: ReturnType<typeof twilio>;

  before(async () => {
    await fake.start();
    client = twilio(TWILIO_SANDBOX_ACCOUNT_SID, TWILIO_SANDBOX_AUTH_TOKEN, { autoRetry: false });
    client.api.baseUrl = fake.baseUrl;
  });
  after(async () => { await fake.stop(); });

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
    await assert.rejects(stranger.messages.create({ to: '+14155550100', from: '+15005550006', body: 'x' }), { status: 401, code: 20003 });
    await assert.rejects(client.messages.create({ to: '12345', from: '+15005550006', body: 'x' }), { status: 400, code: 21211 });
    fake.failNext({ status: 503, code: 20503 });
    await assert.rejects(client.messages.create({ to: '+14155550101', from: '+15005550006', body: 'x' }), { status: 503 });
    assert.equal(fake.to('+14155550101').length, 0);
  });

  it('lists what it received, newest first, as an inbox', async () => {
    await client.messages.create({ to: '+14155550102', from: '+15005550006', body: 'first' });
    await client.messages.create({ to: '+14155550102', from: '+15005550006', body: 'second' });
    const response = await fetch(`${fake.baseUrl}/sandbox/messages`);
    assert.equal(response.status, 200);
    const { messages } = (await response.json()) as { messages: Array<{ to: string; body: string; receivedAt: string }> };
    assert.deepEqual(messages.filter((message) => message.to === '+14155550102').map((message) => message.body), ['second', 'first']);
    assert.ok(messages.every((message) => !Number.isNaN(Date.parse(message.receivedAt))));
  });
});
