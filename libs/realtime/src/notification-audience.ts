import type { EntityManager } from 'typeorm';
import type { NotificationType } from './notification.model.js';

/** What a notification is about: enough to decide who may be told of it. */
export interface NotificationSubject {
  readonly type: NotificationType;
  readonly familyId: string | null;
  readonly eventId?: string | null;
  readonly alertId?: string | null;
}

export interface AudienceCheck {
  readonly userId: string;
  readonly subject: NotificationSubject;
}

/**
 * Who may be told of something now. Implemented above this lib (it needs the network's
 * relationships, the event's audience and the alert's recipients); the inbox asks it when a
 * notification is decided, and again for every push, replay and inbox read, so a change
 * committed in between always wins.
 */
export interface NotificationAudience {
  /** For each check, in order: whether that user may be told of that subject now. */
  allowed(manager: EntityManager, checks: readonly AudienceCheck[]): Promise<boolean[]>;
}
export const NOTIFICATION_AUDIENCE = Symbol('NOTIFICATION_AUDIENCE');
