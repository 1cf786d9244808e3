import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { HearthAbility } from '@hearth/authz';
import type { ReplyModel } from './timeline.models.js';
import { eventQuery } from './timeline.repository.js';

export interface ReplyRow {
  id: string;
  family_id: string;
  event_id: string;
  author_id: string;
  body: string;
  created_at: Date;
}

export const toReply = (r: ReplyRow): ReplyModel => ({
  id: r.id,
  familyId: r.family_id,
  eventId: r.event_id,
  authorId: r.author_id,
  body: r.body,
  createdAt: r.created_at,
});

/** Replies to events (`event_replies`): content, so read only where the event's content is visible. */
@Injectable()
export class ReplyRepository {
  async insert(
    manager: EntityManager,
    reply: { familyId: string; eventId: string; authorId: string; agencyId: string; body: string },
  ): Promise<ReplyRow> {
    const rows: ReplyRow[] = await manager.query(
      `INSERT INTO event_replies (family_id, event_id, author_id, agency_id, body) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, family_id, event_id, author_id, body, created_at`,
      [reply.familyId, reply.eventId, reply.authorId, reply.agencyId, reply.body],
    );
    return rows[0]!;
  }

  /** Replies to those of these events whose content the ability lets the caller read, in order. */
  ofVisible(manager: EntityManager, ability: HearthAbility, eventIds: readonly string[]): Promise<ReplyRow[]> {
    const query = eventQuery(ability, 'e.id = ANY($1)', [eventIds], '');
    return manager.query(
      `SELECT r.id, r.family_id, r.event_id, r.author_id, r.body, r.created_at
       FROM (${query.sql}) visible JOIN event_replies r ON r.event_id = visible.id
       WHERE visible.content_visible ORDER BY r.event_id, r.created_at, r.id`,
      query.params,
    );
  }
}
