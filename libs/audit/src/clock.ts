/** The time, injectable so tests can fix it. */
export interface Clock {
  now(): Date;
}

export const AUDIT_CLOCK = Symbol('AUDIT_CLOCK');

export const systemClock: Clock = { now: () => new Date() };
