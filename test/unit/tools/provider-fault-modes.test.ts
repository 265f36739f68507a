import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import twilio from 'twilio';
import { SmtpFaultProxy } from '../../../tools/sandbox/smtp-fault-proxy';
import {
  TWILIO_SANDBOX_ACCOUNT_SID,
  TWILIO_SANDBOX_AUTH_TOKEN,
  TwilioSandbox,
} from '../../../tools/sandbox/twilio-sandbox';

/** A minimal SMTP server standing in for Mailpit: it takes every message and counts them. */
function smtpSink(): { server: Server; received: string[] } {
  const received: string[] = [];
  const server = createServer((socket) => {
    socket.write('220 sink ESMTP\r\n');
    let buffered = '';
    let inData = false;
    let message = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push(message);
            message = '';
            socket.write('250 queued\r\n');
          } else message += `${line}\n`;
        } else if (/^DATA/i.test(line)) {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (/^QUIT/i.test(line)) {
          socket.end('221 bye\r\n');
        } else socket.write('250 OK\r\n');
      }
    });
  });
  return { server, received };
}

describe('the SMTP fault proxy, with the nodemailer client the worker uses', () => {
  const sink = smtpSink();
  let proxy: SmtpFaultProxy;
  const send = (subject: string) =>
    nodemailer
      .createTransport({
        url: proxy.url,
        pool: false,
        connectionTimeout: 1_000,
        greetingTimeout: 500,
        socketTimeout: 2_000,
      })
      .sendMail({ from: 'shop@fuzz.example', to: 'a@fuzz.example', subject, text: 'hello' });

  before(async () => {
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    proxy = new SmtpFaultProxy({ host: '127.0.0.1', port: (sink.server.address() as AddressInfo).port }, 300);
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    await new Promise<void>((resolve) => sink.server.close(() => resolve()));
  });

  it('passes a message through untouched, and late when slow', async () => {
    await send('through');
    await proxy.setMode('slow');
    await send('slowly');
    await proxy.setMode('pass');
    assert.equal(sink.received.filter((text) => /Subject: (through|slowly)/.test(text)).length, 2);
  });

  it('refuses connections, then listens again on the same port', async () => {
    const url = proxy.url;
    await proxy.setMode('refuse');
    await assert.rejects(send('refused'), (error: Error & { code?: string }) =>
      /ECONNREFUSED/.test(`${error.code} ${error.message}`),
    );
    await proxy.setMode('pass');
    assert.equal(proxy.url, url);
    await send('back');
  });

  it('answers MAIL FROM with 530, 451 or 554, and a black hole never greets', async () => {
    for (const [mode, code] of [
      ['auth-failure', 530],
      ['temp-failure', 451],
      ['incident-5xx', 554],
    ] as const) {
      await proxy.setMode(mode);
      await assert.rejects(send(mode), { responseCode: code });
    }
    await proxy.setMode('black-hole');
    await assert.rejects(send('into the hole'), { code: 'ETIMEDOUT' });
    await proxy.setMode('pass');
    assert.equal(
      sink.received.some((text) => /Subject: (auth-failure|temp-failure|incident-5xx|into the hole)/.test(text)),
      false,
    );
    assert.ok(proxy.connections['black-hole'] >= 1 && proxy.connections['auth-failure'] >= 1);
  });
});

describe('the SMTP fault proxy in pass mode, when the real server is down', () => {
  it(
    'answers 421 (try again later) and records the failure, ' +
      'rather than cutting a connection the client thinks is up',
    async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const proxy = new SmtpFaultProxy({ host: '127.0.0.1', port });
      await proxy.start();
      try {
        const transport = nodemailer.createTransport({
          url: proxy.url,
          pool: false,
          connectionTimeout: 1_000,
          greetingTimeout: 1_000,
        });
        await assert.rejects(
          transport.sendMail({ from: 'shop@fuzz.example', to: 'a@fuzz.example', subject: 'x', text: 'x' }),
          { responseCode: 421 },
        );
        assert.equal(proxy.upstreamFailures.length, 1);
      } finally {
        await proxy.stop();
      }
    },
  );
});

describe('the Twilio stand-in in a fault mode, with the official client', () => {
  const fake = new TwilioSandbox();
  let client: ReturnType<typeof twilio>;
  const text = (to: string) => client.messages.create({ to, from: '+15005550006', body: 'x' });

  before(async () => {
    await fake.start();
    client = twilio(TWILIO_SANDBOX_ACCOUNT_SID, TWILIO_SANDBOX_AUTH_TOKEN, { autoRetry: false, timeout: 1_000 });
    client.api.baseUrl = fake.baseUrl;
  });
  after(async () => {
    await fake.stop();
  });

  it('answers 401/20003 and 503 without taking the message, then takes it again in pass mode', async () => {
    await fake.setFaultMode('auth-failure');
    await assert.rejects(text('+14155550200'), { status: 401, code: 20003 });
    await fake.setFaultMode('server-error');
    await assert.rejects(text('+14155550200'), { status: 503 });
    await fake.setFaultMode('pass');
    await text('+14155550200');
    assert.equal(fake.to('+14155550200').length, 1);
  });

  it('refuses connections, never answers in a black hole, answers late when slow', async () => {
    await fake.setFaultMode('refuse');
    await assert.rejects(text('+14155550201'), /ECONNREFUSED/);
    await fake.setFaultMode('black-hole');
    await assert.rejects(text('+14155550201'), /timeout/i);
    await fake.setFaultMode('slow', 200);
    await text('+14155550201');
    await fake.setFaultMode('pass');
    assert.equal(fake.to('+14155550201').length, 1);
    assert.ok(fake.faultHits['black-hole'] === 1 && fake.faultHits.slow === 1);
  });
});
