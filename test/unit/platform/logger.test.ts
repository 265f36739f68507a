import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createLogger } from '../../../platform/logger';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return {
    lines,
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  };
}

describe('logger', () => {
  it('never writes credentials that a client attached to an error', () => {
    const { lines, stream } = capture();
    const logger = createLogger('test', 'info', stream);
    const error = Object.assign(new Error('timeout of 10000ms exceeded'), {
      code: 'ECONNABORTED',
      config: {
        auth: { username: 'AC123', password: 'super-secret-token' },
        headers: { Authorization: 'Basic c2VjcmV0' },
      },
      request: { _header: 'POST / HTTP/1.1\r\nAuthorization: Basic c2VjcmV0\r\n' },
    });
    logger.error({ err: error }, 'send failed');
    logger.warn({ error, nested: { failure: error } }, 'activity failed');
    const line = lines.join('');
    assert.match(line, /ECONNABORTED/);
    assert.match(lines[0]!, /"message":"timeout of 10000ms exceeded"/, 'the err key keeps the message');
    assert.doesNotMatch(line, /super-secret-token|c2VjcmV0/);
  });

  it('masks emails and phone numbers wherever they appear', () => {
    const { lines, stream } = capture();
    createLogger('test', 'info', stream).info(
      { to: 'jane.doe@example.com', err: new Error('rejected +14155550123') },
      'sending to jane.doe@example.com',
    );
    const line = lines.join('');
    assert.doesNotMatch(line, /jane\.doe@example\.com|4155550123/);
    assert.match(line, /j\*\*\*@e\*\*\*\.com/);
  });

  it('redacts secret-named fields', () => {
    const { lines, stream } = capture();
    createLogger('test', 'info', stream).info({ password: 'hunter2', token: 'abc' }, 'config');
    assert.doesNotMatch(lines.join(''), /hunter2|"abc"/);
    assert.ok(pino.version);
  });

  it("redacts Temporal's API key and mTLS client key, in a config or in connection options", () => {
    const { lines, stream } = capture();
    const logger = createLogger('test', 'info', stream);
    logger.info({ config: { TEMPORAL_ADDRESS: 'a:7233', TEMPORAL_API_KEY: 'cloud-api-key' } }, 'config');
    logger.info(
      { options: { apiKey: 'cloud-api-key', tls: { clientCertPair: { crt: 'CERT', key: 'PRIVATE-KEY' } } } },
      'connecting',
    );
    assert.doesNotMatch(lines.join(''), /cloud-api-key|PRIVATE-KEY/);
    assert.match(lines.join(''), /a:7233/);
  });
});
