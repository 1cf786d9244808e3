import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventKind, Severity, Visibility } from './timeline.enums.js';

/** What a hook learns about a posted event: ids and metadata, never its summary or body. */
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

/** Implemented by higher libs (alerts) to act inside the transaction that posts. */
export interface TimelineHooks {
  afterEventPosted(manager: EntityManager, event: PostedEvent): Promise<void>;
  afterReplyPosted(manager: EntityManager, reply: PostedReply): Promise<void>;
}

/**
 * Where a higher lib registers its hooks: the timeline may not import it, yet posting must
 * evaluate its rules in the same transaction. A hook that throws fails the post.
 */
@Injectable()
export class TimelineHookRegistry implements TimelineHooks {
  private readonly hooks: TimelineHooks[] = [];

  register(hooks: TimelineHooks): void {
    this.hooks.push(hooks);
  }

  async afterEventPosted(manager: EntityManager, event: PostedEvent): Promise<void> {
    for (const hook of this.hooks) await hook.afterEventPosted(manager, event);
  }

  async afterReplyPosted(manager: EntityManager, reply: PostedReply): Promise<void> {
    for (const hook of this.hooks) await hook.afterReplyPosted(manager, reply);
  }
}
