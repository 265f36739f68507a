import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quietHoursEnd } from '../../../activities/quiet-hours';

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
    assert.equal(
      quietHoursEnd(at('2030-01-15T12:30:00Z'), 'UTC', { start: '12:00', end: '14:00' }),
      at('2030-01-15T14:00:00Z'),
    );
  });

  it('lands on 09:00 local time across a daylight-saving change', () => {
    assert.equal(quietHoursEnd(at('2030-03-30T22:00:00Z'), 'Europe/Paris', night), at('2030-03-31T07:00:00Z'));
  });

  describe('a window whose end falls in a daylight-saving gap or overlap', () => {
    // New York springs forward on 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z); 02:00 never happens.
    const lateNight = { start: '21:00', end: '02:00' };

    it('ends at the first real instant after the gap, from every moment of the night', () => {
      for (let ms = at('2026-03-08T02:00:00Z'); ms < at('2026-03-08T07:00:00Z'); ms += 7 * 60_000 + 13_000) {
        const end = quietHoursEnd(ms, 'America/New_York', lateNight);
        assert.equal(end, at('2026-03-08T07:00:00Z'), `from ${new Date(ms).toISOString()}`);
      }
    });

    it('never answers an instant that is not in the future', () => {
      const zones = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Tehran'];
      const windows = [
        lateNight,
        { start: '01:00', end: '02:30' },
        { start: '23:30', end: '00:30' },
        { start: '02:00', end: '03:00' },
      ];
      for (const zone of zones) {
        for (const window of windows) {
          // Every 10 minutes of each 2026 change (spring and autumn) in that zone's year.
          for (const day of [
            '2026-03-08',
            '2026-03-29',
            '2026-04-05',
            '2026-09-06',
            '2026-10-04',
            '2026-10-25',
            '2026-11-01',
          ]) {
            for (
              let ms = at(`${day}T00:00:00Z`) - 12 * 3_600_000;
              ms < at(`${day}T00:00:00Z`) + 36 * 3_600_000;
              ms += 10 * 60_000 + 7_000
            ) {
              const end = quietHoursEnd(ms, zone, window);
              if (end === null) continue;
              assert.ok(
                end > ms,
                `${zone} ${window.start}-${window.end} at ${new Date(ms).toISOString()}: ` +
                  `end ${new Date(end).toISOString()} is not after it`,
              );
              assert.equal(
                quietHoursEnd(end, zone, window),
                null,
                `${zone} ${window.start}-${window.end}: still quiet at the computed end ${new Date(end).toISOString()}`,
              );
            }
          }
        }
      }
    });

    it('ends at the first of two identical wall-clock times when clocks fall back', () => {
      // New York falls back on 2026-11-01: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
      assert.equal(
        quietHoursEnd(at('2026-11-01T03:00:00Z'), 'America/New_York', { start: '21:00', end: '01:30' }),
        at('2026-11-01T05:30:00Z'),
      );
    });
  });
});
