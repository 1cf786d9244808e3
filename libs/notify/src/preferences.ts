/** The severity a notification carries outside Hearth: non-alert traffic is INFO, below GREEN. */
export type Severity = 'INFO' | 'GREEN' | 'AMBER' | 'RED';
/** The least severity a channel carries: ALL (everything), GREEN, AMBER or RED (alerts of that RAG and above). */
export type Floor = 'ALL' | 'GREEN' | 'AMBER' | 'RED';
export const FLOORS: readonly Floor[] = ['ALL', 'GREEN', 'AMBER', 'RED'];

const RANK: Record<Severity, number> = { INFO: 0, GREEN: 1, AMBER: 2, RED: 3 };
const FLOOR_RANK: Record<Floor, number> = { ALL: 0, GREEN: 1, AMBER: 2, RED: 3 };

/** A user's choices; `DEFAULT_PREFERENCES` for those who never chose. Times are `HH:MM` local. */
export interface Preferences {
  readonly emailFloor: Floor;
  readonly webhookFloor: Floor;
  readonly timeZone: string;
  readonly quietStart: string | null;
  readonly quietEnd: string | null;
  readonly digestAt: string | null;
  readonly mutedFamilyIds: readonly string[];
}

export const DEFAULT_PREFERENCES: Preferences = {
  emailFloor: 'AMBER',
  webhookFloor: 'RED',
  timeZone: 'Europe/London',
  quietStart: null,
  quietEnd: null,
  digestAt: '07:30',
  mutedFamilyIds: [],
};

export function severityOf(rag: string | null, isAlert: boolean): Severity {
  if (!isAlert) return 'INFO';
  return rag === 'RED' || rag === 'AMBER' || rag === 'GREEN' ? rag : 'INFO';
}

/** What happens to a notification on one channel: sent when due, held for the digest, or not at all. */
export type Decision =
  { readonly send: true; readonly notBefore: Date } | { readonly send: false; readonly digest: boolean };

/**
 * The one rule of who gets what outside Hearth. RED always goes at once, whatever the settings.
 * At or above the floor: sent, delayed to the end of quiet hours when they hold (never dropped).
 * Below the floor: gathered into the daily digest when there is one. A muted family's non-alert
 * traffic goes nowhere.
 */
export function decide(
  preferences: Preferences,
  floor: Floor,
  severity: Severity,
  familyId: string | null,
  now: Date,
): Decision {
  if (severity === 'RED') return { send: true, notBefore: now };
  if (severity === 'INFO' && familyId && preferences.mutedFamilyIds.includes(familyId))
    return { send: false, digest: false };
  if (RANK[severity] < FLOOR_RANK[floor]) return { send: false, digest: preferences.digestAt !== null };
  return { send: true, notBefore: quietHoursEnd(preferences, now) ?? now };
}

/**
 * Making a formatter costs far more than using one: one per time zone and use, made once (as many
 * as there are zones: a stored zone passed `isTimeZone`).
 */
const clocks = new Map<string, Intl.DateTimeFormat>();
const calendars = new Map<string, Intl.DateTimeFormat>();

function formatter(
  made: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  make: () => Intl.DateTimeFormat,
): Intl.DateTimeFormat {
  let format = made.get(timeZone);
  if (!format) {
    format = make();
    made.set(timeZone, format);
  }
  return format;
}

/** Minutes since local midnight in `timeZone`. */
export function localMinutes(now: Date, timeZone: string): number {
  const clock = formatter(
    clocks,
    timeZone,
    () => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  );
  let minutes = 0;
  for (const part of clock.formatToParts(now)) {
    if (part.type === 'hour') minutes += Number(part.value) * 60;
    if (part.type === 'minute') minutes += Number(part.value);
  }
  return minutes;
}

/** The local calendar date (YYYY-MM-DD) in `timeZone`. */
export function localDate(now: Date, timeZone: string): string {
  return formatter(
    calendars,
    timeZone,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(now);
}

export function minutesOf(time: string): number {
  const [h, m] = time.split(':');
  return Number(h) * 60 + Number(m);
}

/** When quiet hours hold at `now`, the instant they end; otherwise null. A window may span midnight. */
export function quietHoursEnd(preferences: Preferences, now: Date): Date | null {
  const { quietStart, quietEnd, timeZone } = preferences;
  if (!quietStart || !quietEnd) return null;
  const start = minutesOf(quietStart);
  const end = minutesOf(quietEnd);
  if (start === end) return null;
  const local = localMinutes(now, timeZone);
  const inside = start < end ? local >= start && local < end : local >= start || local < end;
  if (!inside) return null;
  const wait = (end - local + 24 * 60) % (24 * 60);
  const at = new Date(now.getTime() + wait * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}

/** Whether the user's digest is due at `now` (their local time is past their digest time). */
export function digestDue(preferences: Preferences, now: Date): boolean {
  if (!preferences.digestAt) return false;
  return localMinutes(now, preferences.timeZone) >= minutesOf(preferences.digestAt);
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
