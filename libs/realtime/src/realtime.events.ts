import type { NotificationType } from './notification.model.js';

/** Who was just told of what in their inbox: ids and safe metadata only. */
export interface Notified {
  readonly type: NotificationType;
  readonly familyId: string | null;
  readonly eventId: string | null;
  readonly alertId: string | null;
  readonly rag: string | null;
  /** Each recipient and the sequence number of their notification (its id in their inbox). */
  readonly recipients: ReadonlyArray<{ readonly userId: string; readonly seq: number }>;
}

declare module '@hearth/database' {
  interface DomainEventMap {
    /** Published by the inbox, inside the deciding transaction, after the notifications are written. */
    'realtime.notified': Notified;
  }
}
