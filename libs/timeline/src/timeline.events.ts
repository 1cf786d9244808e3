import type { EventKind, Severity, Visibility } from './timeline.enums.js';

/** What a subscriber learns about a posted event: ids and metadata, never its summary or body. */
export interface PostedEvent {
  readonly id: string;
  readonly familyId: string;
  readonly kind: EventKind;
  readonly severity: Severity;
  readonly occurredAt: Date;
  readonly agencyId: string;
  readonly authorId: string;
  readonly visibility: Visibility;
  readonly subjectIds: readonly string[];
}

export interface PostedReply {
  readonly id: string;
  readonly eventId: string;
  readonly familyId: string;
  readonly authorId: string;
}

/**
 * The timeline's domain events, published inside the transaction that posts: higher libs
 * (alerts) evaluate rules and tell people in that same transaction; a subscriber that throws
 * fails the post.
 */
declare module '@hearth/database' {
  interface DomainEventMap {
    'timeline.event-posted': PostedEvent;
    'timeline.reply-posted': PostedReply;
  }
}
