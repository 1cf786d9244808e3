import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Role } from '@hearth/authz';
import { UserRepository } from '@hearth/identity';
import { RelationshipRepository, type AccessGranted, type MembershipChanged } from '@hearth/network';
import { InboxService, NotificationType } from '@hearth/realtime';
import type { PostedEvent, PostedReply } from '@hearth/timeline';

/**
 * Decides who is told of what happens in a network (not alerts: the engine raises those). It
 * names the people a notification is meant for; the inbox then keeps only those in its audience
 * now, so a candidate who may not see the subject is never told.
 */
@Injectable()
export class Notifier {
  constructor(
    private readonly inbox: InboxService,
    private readonly relationships: RelationshipRepository,
    private readonly users: UserRepository,
  ) {}

  async eventPosted(manager: EntityManager, event: PostedEvent): Promise<void> {
    const members = await this.members(manager, event.familyId);
    await this.inbox.enqueue(
      manager,
      members.filter((id) => id !== event.authorId),
      { type: NotificationType.EVENT_POSTED, familyId: event.familyId, eventId: event.id },
    );
  }

  async replyPosted(manager: EntityManager, reply: PostedReply): Promise<void> {
    const members = await this.members(manager, reply.familyId);
    await this.inbox.enqueue(
      manager,
      members.filter((id) => id !== reply.authorId),
      { type: NotificationType.REPLY_POSTED, familyId: reply.familyId, eventId: reply.eventId },
    );
  }

  async membershipChanged(manager: EntityManager, change: MembershipChanged): Promise<void> {
    await this.inbox.enqueue(manager, await this.members(manager, change.familyId), {
      type: NotificationType.MEMBERSHIP_CHANGED,
      familyId: change.familyId,
    });
  }

  /** Break-glass: the family's lead and every auditor are told at once. */
  async accessGranted(manager: EntityManager, grant: AccessGranted): Promise<void> {
    const candidates = [
      ...(await this.leads(manager, grant.familyId)),
      ...(await this.users.allActiveHolders(manager, Role.AUDITOR)),
    ];
    await this.inbox.enqueue(
      manager,
      candidates.filter((id) => id !== grant.userId),
      { type: NotificationType.ACCESS_GRANTED, familyId: grant.familyId },
    );
  }

  /** A grant found inappropriate: the lead learns that someone's access was withdrawn. */
  async accessRevoked(manager: EntityManager, grant: AccessGranted): Promise<void> {
    await this.inbox.enqueue(manager, await this.leads(manager, grant.familyId), {
      type: NotificationType.ACCESS_REVOKED,
      familyId: grant.familyId,
    });
  }

  private async members(manager: EntityManager, familyId: string): Promise<string[]> {
    const rows = await this.relationships.ofFamilies(manager, [familyId]);
    return rows.filter((r) => r.via === 'LEAD' || r.via === 'MEMBER').map((r) => r.user_id);
  }

  private async leads(manager: EntityManager, familyId: string): Promise<string[]> {
    const rows = await this.relationships.ofFamilies(manager, [familyId]);
    return rows.filter((r) => r.via === 'LEAD').map((r) => r.user_id);
  }
}
