import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskEmail, maskPhone, maskPiiInText, redactUrl } from '../../../platform/pii';

describe('PII masking', () => {
  it('masks emails down to their first letters and top-level domain', () => {
    assert.equal(maskEmail('jane.doe@example.com'), 'j***@e***.com');
  });

  it('keeps only the first and last digits of a phone number', () => {
    assert.equal(maskPhone('+14155550123'), '+1***23');
  });

  it('masks every address and number in free text', () => {
    const masked = maskPiiInText('send to jane@example.com and +33612345678 now');
    assert.equal(masked, 'send to j***@e***.com and +3***78 now');
  });

  it('redacts the password of a connection URL', () => {
    assert.equal(redactUrl('postgres://user:secret@db:5432/app'), 'postgres://user:***@db:5432/app');
  });
});
