import type { NotificationPayload } from './notification.model.js';

/** One notification for one user, as committed. */
export interface Delivery {
  readonly userId: string;
  readonly payload: NotificationPayload;
}

/**
 * How a committed notification reaches the sockets: from an API node through its socket.io
 * server (and the cluster adapter to the others), from a worker through the socket.io emitter
 * over the same adapter. The inbox rings it only after commit, with deliveries it has just
 * checked against the audience.
 */
export interface Doorbell {
  ring(deliveries: readonly Delivery[]): void;
}
export const DOORBELL = Symbol('DOORBELL');
