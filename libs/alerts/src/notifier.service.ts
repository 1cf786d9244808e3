import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Role } from '@hearth/authz';
import { UserRepository } from '@hearth/identity';
import {
  RelationshipRepository,
  type AccessGranted,
  type MembershipChanged,
  type RelationshipRow,
} from '@hearth/network';
import { InboxService, NotificationType, type NewNotification } from '@hearth/realtime';
import type { PostedEvent, PostedReply } from '@hearth/timeline';
import { knowingRelationships } from './notification-audience.service.js';

/**
 * Decides who is told of what happens in a network (not alerts: the engine raises those). It
 * names the people a notification is meant for; the inbox then keeps only those in its audience
 * now, so a candidate who may not see the subject is never told. It reads the family's
 * relationships once: the audience check takes the same rows (same transaction, moments later).
 */
@Injectable()
export class Notifier {
  constructor(
    private readonly inbox: InboxService,
    private readonly relationships: RelationshipRepository,
    private readonly users: UserRepository,
  ) {}

  async eventPosted(manager: EntityManager, event: PostedEvent): Promise<void> {
    const rows = await this.relationshipsWith(manager, event.familyId);
    await this.tell(
      manager,
      event.familyId,
      rows,
      members(rows).filter((id) => id !== event.authorId),
      {
        type: NotificationType.EVENT_POSTED,
        familyId: event.familyId,
        eventId: event.id,
      },
    );
  }

  async replyPosted(manager: EntityManager, reply: PostedReply): Promise<void> {
    const rows = await this.relationshipsWith(manager, reply.familyId);
    await this.tell(
      manager,
      reply.familyId,
      rows,
      members(rows).filter((id) => id !== reply.authorId),
      {
        type: NotificationType.REPLY_POSTED,
        familyId: reply.familyId,
        eventId: reply.eventId,
      },
    );
  }

  async membershipChanged(manager: EntityManager, change: MembershipChanged): Promise<void> {
    const rows = await this.relationshipsWith(manager, change.familyId);
    await this.tell(manager, change.familyId, rows, members(rows), {
      type: NotificationType.MEMBERSHIP_CHANGED,
      familyId: change.familyId,
    });
  }

  /** Break-glass: the family's lead and every auditor are told at once. */
  async accessGranted(manager: EntityManager, grant: AccessGranted): Promise<void> {
    const rows = await this.relationshipsWith(manager, grant.familyId);
    const candidates = [...leads(rows), ...(await this.users.allActiveHolders(manager, Role.AUDITOR))];
    await this.tell(
      manager,
      grant.familyId,
      rows,
      candidates.filter((id) => id !== grant.userId),
      { type: NotificationType.ACCESS_GRANTED, familyId: grant.familyId },
    );
  }

  /** A grant found inappropriate: the lead learns that someone's access was withdrawn. */
  async accessRevoked(manager: EntityManager, grant: AccessGranted): Promise<void> {
    const rows = await this.relationshipsWith(manager, grant.familyId);
    await this.tell(manager, grant.familyId, rows, leads(rows), {
      type: NotificationType.ACCESS_REVOKED,
      familyId: grant.familyId,
    });
  }

  private relationshipsWith(manager: EntityManager, familyId: string): Promise<RelationshipRow[]> {
    return this.relationships.ofFamilies(manager, [familyId]);
  }

  /** The inbox keeps those of `candidates` in the audience, judged from the same `rows`. */
  private async tell(
    manager: EntityManager,
    familyId: string,
    rows: readonly RelationshipRow[],
    candidates: readonly string[],
    notification: NewNotification,
  ): Promise<void> {
    await knowingRelationships(manager, familyId, rows, () => this.inbox.enqueue(manager, candidates, notification));
  }
}

function members(rows: readonly RelationshipRow[]): string[] {
  return rows.filter((r) => r.via === 'LEAD' || r.via === 'MEMBER').map((r) => r.user_id);
}

function leads(rows: readonly RelationshipRow[]): string[] {
  return rows.filter((r) => r.via === 'LEAD').map((r) => r.user_id);
}
