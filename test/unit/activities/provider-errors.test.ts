import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifySmtpError } from '../../../activities/email';
import { classifyTwilioError } from '../../../activities/sms';

const error = (fields: object, message = 'provider said no') => Object.assign(new Error(message), fields);
/** What axios attaches to a socket error: the Node request, flushed to the socket or not. */
const request = (written: boolean) => ({ request: { writableFinished: written } });

describe('provider failure classification', () => {
  const smtp: Array<[string, object, string]> = [
    ['a 550 mailbox unavailable on RCPT TO', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, 'permanent'],
    ['a 551 user not local on RCPT TO', { code: 'EENVELOPE', responseCode: 551, command: 'RCPT TO' }, 'permanent'],
    [
      'a 553 mailbox name not allowed on RCPT TO',
      { code: 'EENVELOPE', responseCode: 553, command: 'RCPT TO' },
      'permanent',
    ],
    ['a 554 transaction failed after DATA', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, 'permanent'],
    ['a 421 service not available', { responseCode: 421, command: 'CONN' }, 'not_accepted'],
    ['a 451 local error', { responseCode: 451, command: 'DATA' }, 'not_accepted'],
    [
      'a refused connection (as nodemailer reports it)',
      { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' },
      'not_accepted',
    ],
    ['a DNS failure', { code: 'EDNS' }, 'not_accepted'],
    [
      'a connect timeout (no TCP connection ever existed)',
      { code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT', command: 'CONN' },
      'not_accepted',
    ],
    [
      'a greeting timeout (connected, the server never spoke)',
      { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT', command: 'CONN' },
      'not_accepted',
    ],
    [
      'a STARTTLS handshake timeout (before any envelope)',
      { code: 'ETIMEDOUT', timeoutType: 'UPGRADE_TIMEOUT', command: 'CONN' },
      'not_accepted',
    ],
    ['a 535 authentication failure', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }, 'misconfigured'],
    [
      'a 530 authentication required at MAIL FROM',
      { code: 'EENVELOPE', responseCode: 530, command: 'MAIL FROM' },
      'misconfigured',
    ],
    ["credentials missing for the server's auth method", { code: 'EAUTH', command: 'API' }, 'misconfigured'],
    [
      'a 553 sender address rejected on MAIL FROM',
      { code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM' },
      'misconfigured',
    ],
    [
      'a connection dropped after the data was sent (as nodemailer reports it)',
      { code: 'ECONNECTION', command: 'CONN' },
      'ambiguous',
    ],
    [
      'a server gone silent mid-transaction (as nodemailer reports it)',
      { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' },
      'ambiguous',
    ],
  ];
  for (const [what, fields, kind] of smtp) {
    it(`SMTP: ${what} is ${kind}`, () => assert.equal(classifySmtpError(error(fields)).kind, kind));
  }

  const twilio: Array<[string, object, string]> = [
    ['21211 invalid number', { status: 400, code: 21211 }, 'permanent'],
    ['21610 unsubscribed recipient', { status: 400, code: 21610 }, 'permanent'],
    ['21614 not a mobile number', { status: 400, code: 21614 }, 'permanent'],
    ['21408 region not enabled', { status: 400, code: 21408 }, 'permanent'],
    ['401 bad credentials (20003)', { status: 401, code: 20003 }, 'misconfigured'],
    ['403 forbidden', { status: 403, code: 20003 }, 'misconfigured'],
    [
      "404 on the account's Messages resource (20404: wrong account SID)",
      { status: 404, code: 20404 },
      'misconfigured',
    ],
    ['21212 invalid From', { status: 400, code: 21212 }, 'misconfigured'],
    ['21606 From is not an SMS-capable number', { status: 400, code: 21606 }, 'misconfigured'],
    ['21659 From is not a Twilio number', { status: 400, code: 21659 }, 'misconfigured'],
    ['429 too many requests', { status: 429, code: 20429 }, 'not_accepted'],
    ['500 server error', { status: 500, code: 20500 }, 'not_accepted'],
    ['503 unavailable', { status: 503 }, 'not_accepted'],
    ['502 bad gateway (the request was written)', { status: 502 }, 'ambiguous'],
    ['504 gateway timeout (the request was written)', { status: 504 }, 'ambiguous'],
    ['a refused connection', { code: 'ECONNREFUSED', ...request(false) }, 'not_accepted'],
    ['a connection reset before the request was written', { code: 'ECONNRESET', ...request(false) }, 'not_accepted'],
    ['a connect timeout (the request never left)', { code: 'ECONNABORTED', ...request(false) }, 'not_accepted'],
    ['a connection reset after the request was written', { code: 'ECONNRESET', ...request(true) }, 'ambiguous'],
    ['a response timeout (the request was written)', { code: 'ECONNABORTED', ...request(true) }, 'ambiguous'],
    ['a request timeout with no request to look at', { code: 'ECONNABORTED' }, 'ambiguous'],
  ];
  for (const [what, fields, kind] of twilio) {
    it(`Twilio: ${what} is ${kind}`, () => assert.equal(classifyTwilioError(error(fields)).kind, kind));
  }

  it('masks the address an SMTP server quotes in its reply', () => {
    const refusal = error(
      {
        code: 'EENVELOPE',
        responseCode: 550,
        command: 'RCPT TO',
        response: '550 5.1.1 <ann.lee@example.com>: Recipient address rejected',
      },
      "Can't send mail - all recipients were rejected: 550 5.1.1 <ann.lee@example.com>: Recipient address rejected",
    );
    const { reason } = classifySmtpError(refusal);
    assert.doesNotMatch(reason, /ann\.lee@example\.com/);
    assert.match(reason, /SMTP 550/);
    assert.match(reason, /a\*\*\*@e\*\*\*\.com/);
  });

  it('masks the number Twilio quotes in its message', () => {
    const { reason } = classifyTwilioError(
      error({ status: 400, code: 21211 }, "The 'To' number +14155550123 is not a valid phone number."),
    );
    assert.doesNotMatch(reason, /4155550123/);
  });
});
