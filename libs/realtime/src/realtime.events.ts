import type { NotificationType } from './notification.model.js';

/**
 * The users the inbox is about to number notifications for, which locks their counters until the
 * transaction commits: a handler reads now what it will need once they are written, so that
 * nothing but writes runs while others wait on those locks.
 */
export interface Notifying {
  readonly userIds: readonly string[];
}

/** Who was just told of what in their inbox: ids and safe metadata only. */
export interface Notified {
  readonly type: NotificationType;
  readonly familyId: string | null;
  readonly eventId: string | null;
  readonly alertId: string | null;
  readonly rag: string | null;
  /** Each recipient and the sequence number of their notification (its id in their inbox). */
  readonly recipients: ReadonlyArray<{ readonly userId: string; readonly seq: number }>;
  /** The `realtime.notifying` it follows: the same object for every notification written together. */
  readonly notifying: Notifying;
}

declare module '@hearth/database' {
  interface DomainEventMap {
    /** Published by the inbox, inside the deciding transaction, before the notifications are numbered. */
    'realtime.notifying': Notifying;
    /** Published by the inbox, inside the deciding transaction, after the notifications are written. */
    'realtime.notified': Notified;
  }
}
