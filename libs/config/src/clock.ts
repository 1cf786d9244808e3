/** The time, injectable (CLOCK) so tests can fix or move it. The one clock of Hearth. */
export interface Clock {
  now(): Date;
}

/** Injection token of the Clock; ConfigModule provides the system clock under it. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
