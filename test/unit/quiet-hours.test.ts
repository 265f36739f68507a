import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quietHoursEnd } from '../../activities/quiet-hours';

const night = { start: '21:00', end: '09:00' };
const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  it('moves a send at 22:30 in Paris to 09:00 Paris time the next morning', () => {
    assert.equal(quietHoursEnd(at('2030-01-15T21:30:00Z'), 'Europe/Paris', night), at('2030-01-16T08:00:00Z'));
  });

  it('moves a send at 02:00 in Tokyo to 09:00 the same morning', () => {
    assert.equal(quietHoursEnd(at('2030-01-14T17:00:00Z'), 'Asia/Tokyo', night), at('2030-01-15T00:00:00Z'));
  });

  it('lets a send through outside the window', () => {
    assert.equal(quietHoursEnd(at('2030-01-15T21:30:00Z'), 'America/New_York', night), null);
    assert.equal(quietHoursEnd(at('2030-01-15T08:00:00Z'), 'Europe/Paris', night), null);
  });

  it('handles a window that does not cross midnight', () => {
    assert.equal(quietHoursEnd(at('2030-01-15T12:30:00Z'), 'UTC', { start: '12:00', end: '14:00' }), at('2030-01-15T14:00:00Z'));
  });

  it('lands on 09:00 local time across a daylight-saving change', () => {
    assert.equal(quietHoursEnd(at('2030-03-30T22:00:00Z'), 'Europe/Paris', night), at('2030-03-31T07:00:00Z'));
  });
});
