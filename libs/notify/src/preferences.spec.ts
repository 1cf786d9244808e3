import { describe, expect, it } from '@jest/globals';
import { decide, DEFAULT_PREFERENCES, digestDue, quietHoursEnd, type Preferences } from './preferences.js';

const quiet: Preferences = {
  ...DEFAULT_PREFERENCES,
  timeZone: 'Europe/London',
  quietStart: '22:00',
  quietEnd: '07:00',
};

describe('decide', () => {
  const at = new Date('2026-07-01T22:30:00Z'); // 23:30 in London (BST)

  it('lets RED through at once whatever the floor, quiet hours or mute', () => {
    const muted = { ...quiet, mutedFamilyIds: ['f'] };
    expect(decide(muted, 'RED', 'RED', 'f', at)).toEqual({ send: true, notBefore: at });
  });

  it('delays AMBER to the end of quiet hours in the user’s time zone (07:00 BST is 06:00 UTC)', () => {
    expect(decide(quiet, 'AMBER', 'AMBER', 'f', at)).toEqual({
      send: true,
      notBefore: new Date('2026-07-02T06:00:00Z'),
    });
  });

  it('sends AMBER at once outside quiet hours (positive control for the delay)', () => {
    const noon = new Date('2026-07-01T11:00:00Z');
    expect(decide(quiet, 'AMBER', 'AMBER', 'f', noon)).toEqual({ send: true, notBefore: noon });
  });

  it('holds what is below the floor for the digest, and nothing at all when there is no digest', () => {
    expect(decide(quiet, 'AMBER', 'GREEN', 'f', at)).toEqual({ send: false, digest: true });
    expect(decide({ ...quiet, digestAt: null }, 'AMBER', 'INFO', 'f', at)).toEqual({ send: false, digest: false });
  });

  it("mutes a family's non-alert traffic, not its alerts", () => {
    const muted = { ...DEFAULT_PREFERENCES, mutedFamilyIds: ['f'] };
    const noon = new Date('2026-07-01T11:00:00Z');
    expect(decide(muted, 'ALL', 'INFO', 'f', noon)).toEqual({ send: false, digest: false });
    expect(decide(muted, 'ALL', 'INFO', 'g', noon)).toEqual({ send: true, notBefore: noon });
    expect(decide(muted, 'ALL', 'AMBER', 'f', noon)).toEqual({ send: true, notBefore: noon });
  });
});

describe('quiet hours and digest time', () => {
  it('handle a window that does not span midnight', () => {
    const lunch = { ...DEFAULT_PREFERENCES, timeZone: 'UTC', quietStart: '12:00', quietEnd: '13:00' };
    expect(quietHoursEnd(lunch, new Date('2026-01-05T12:20:00Z'))).toEqual(new Date('2026-01-05T13:00:00Z'));
    expect(quietHoursEnd(lunch, new Date('2026-01-05T13:00:00Z'))).toBeNull();
  });

  it('is due once local time passes the digest time', () => {
    const p = { ...DEFAULT_PREFERENCES, timeZone: 'Europe/London', digestAt: '07:30' };
    expect(digestDue(p, new Date('2026-07-01T06:20:00Z'))).toBe(false); // 07:20 BST
    expect(digestDue(p, new Date('2026-07-01T06:31:00Z'))).toBe(true); // 07:31 BST
  });
});
