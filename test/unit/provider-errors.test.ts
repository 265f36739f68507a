import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifySmtpError } from '../../activities/email';
import { classifyTwilioError } from '../../activities/sms';

const error = (fields: object) => Object.assign(new Error('provider said no'), fields);

describe('provider failure classification', () => {
  const smtp: Array<[string, object, string]> = [
    ['a 550 mailbox unavailable', { responseCode: 550, command: 'RCPT TO' }, 'permanent'],
    ['a 554 transaction failed', { responseCode: 554, command: 'DATA' }, 'permanent'],
    ['a 421 service not available', { responseCode: 421, command: 'CONN' }, 'not_accepted'],
    ['a 451 local error', { responseCode: 451, command: 'DATA' }, 'not_accepted'],
    ['a refused connection (as nodemailer reports it)', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN' }, 'not_accepted'],
    ['a DNS failure', { code: 'EDNS' }, 'not_accepted'],
    ['a connection dropped after the data was sent (as nodemailer reports it)', { code: 'ECONNECTION', command: 'CONN' }, 'ambiguous'],
    ['a server gone silent mid-transaction (as nodemailer reports it)', { code: 'ETIMEDOUT', command: 'CONN' }, 'ambiguous'],
  ];
  for (const [what, fields, kind] of smtp) {
    it(`SMTP: ${what} is ${kind}`, () => assert.equal(classifySmtpError(error(fields)).kind, kind));
  }

  const twilio: Array<[string, object, string]> = [
    ['21211 invalid number', { status: 400, code: 21211 }, 'permanent'],
    ['21610 unsubscribed recipient', { status: 400, code: 21610 }, 'permanent'],
    ['401 bad credentials', { status: 401, code: 20003 }, 'permanent'],
    ['429 too many requests', { status: 429, code: 20429 }, 'not_accepted'],
    ['500 server error', { status: 500, code: 20500 }, 'not_accepted'],
    ['503 unavailable', { status: 503 }, 'not_accepted'],
    ['a refused connection', { code: 'ECONNREFUSED' }, 'not_accepted'],
    ['a request timeout', { code: 'ECONNABORTED' }, 'ambiguous'],
  ];
  for (const [what, fields, kind] of twilio) {
    it(`Twilio: ${what} is ${kind}`, () => assert.equal(classifyTwilioError(error(fields)).kind, kind));
  }
});
