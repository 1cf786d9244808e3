/** Time for alert decisions; tests pass their own to move time. */
export interface AlertClock {
  now(): Date;
}
export const ALERT_CLOCK = Symbol('ALERT_CLOCK');
export const systemClock: AlertClock = { now: () => new Date() };
