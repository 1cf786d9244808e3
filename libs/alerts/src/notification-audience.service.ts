import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, QueryRunner } from 'typeorm';
import { allows, Role, type HearthAbility } from '@hearth/authz';
import { UserRepository } from '@hearth/identity';
import { abilitiesFrom, RelationshipRepository, type RelationshipRow } from '@hearth/network';
import { NotificationType, type AudienceCheck, type NotificationAudience } from '@hearth/realtime';
import { eventAudiences, type EventAudience } from '@hearth/timeline';
import { AlertRepository } from './alert.repository.js';

/** Every relationship with a family, just read in a transaction (see `knowingRelationships`). */
interface KnownRelationships {
  readonly runner: QueryRunner | undefined;
  readonly familyId: string;
  readonly rows: readonly RelationshipRow[];
}

const known = new AsyncLocalStorage<KnownRelationships>();

/**
 * Runs `fn` (an enqueue in `manager`'s transaction) knowing `rows`, every relationship with
 * `familyId` that the caller has just read in that transaction: the audience check of that
 * family takes them from here instead of reading the view again.
 */
export function knowingRelationships<T>(
  manager: EntityManager,
  familyId: string,
  rows: readonly RelationshipRow[],
  fn: () => Promise<T>,
): Promise<T> {
  return known.run({ runner: manager.queryRunner, familyId, rows }, fn);
}

/**
 * Who may be told of what, now. Each user is judged by the ability they would have in a request
 * of their own (built from the one relationship view), so a doorbell, a replay or an inbox read
 * never reveals more than the direct GraphQL read:
 *
 * - an event posted, a membership change: whoever may read the family;
 * - a reply: whoever may read the content of the event it answers;
 * - an alert: its recipients, while they may read the family;
 * - break-glass: the family's lead, and every active auditor (granted only);
 * - a notification without a family: nobody.
 */
@Injectable()
export class NotificationAudienceService implements NotificationAudience {
  constructor(
    private readonly relationships: RelationshipRepository,
    private readonly users: UserRepository,
    private readonly alerts: AlertRepository,
  ) {}

  async allowed(manager: EntityManager, checks: readonly AudienceCheck[]): Promise<boolean[]> {
    if (checks.length === 0) return [];
    const familyIds = unique(checks.map((c) => c.subject.familyId));
    const userIds = unique(checks.map((c) => c.userId));
    const needsContent = unique(
      checks.filter((c) => c.subject.type === NotificationType.REPLY_POSTED).map((c) => c.subject.eventId),
    );
    const alertIds = unique(
      checks
        .filter(
          (c) => c.subject.type === NotificationType.ALERT_RAISED || c.subject.type === NotificationType.ALERT_UPDATED,
        )
        .map((c) => c.subject.alertId),
    );
    const grants = checks.filter((c) => c.subject.type === NotificationType.ACCESS_GRANTED);
    const [rows, events, recipients, auditors] = await Promise.all([
      this.relationshipsOf(manager, familyIds, userIds),
      eventAudiences(manager, needsContent),
      this.alertRecipients(manager, alertIds, userIds),
      grants.length > 0 ? this.users.activeHolders(manager, Role.AUDITOR, unique(grants.map((c) => c.userId))) : [],
    ]);
    const abilities = abilitiesFrom(rows);
    const leads = new Set(rows.filter((r) => r.via === 'LEAD').map((r) => `${r.family_id}:${r.user_id}`));
    const eventById = new Map(events.map((e) => [e.id, e]));
    const auditorSet = new Set(auditors);
    return checks.map(({ userId, subject }) => {
      const familyId = subject.familyId;
      if (!familyId) return false;
      const ability = abilities.get(userId);
      const mayRead = ability !== undefined && allows(ability, 'read', 'Family', { id: familyId });
      switch (subject.type) {
        case NotificationType.EVENT_POSTED:
        case NotificationType.MEMBERSHIP_CHANGED:
          return mayRead;
        case NotificationType.REPLY_POSTED:
          return ability !== undefined && mayReadContent(ability, eventById.get(subject.eventId ?? ''), familyId);
        case NotificationType.ALERT_RAISED:
        case NotificationType.ALERT_UPDATED:
          return mayRead && recipients.has(`${subject.alertId ?? ''}:${userId}`);
        case NotificationType.ACCESS_GRANTED:
          return leads.has(`${familyId}:${userId}`) || auditorSet.has(userId);
        case NotificationType.ACCESS_REVOKED:
          return leads.has(`${familyId}:${userId}`);
      }
    });
  }

  /** The relationships of these users with these families: known already, or read. */
  private async relationshipsOf(
    manager: EntityManager,
    familyIds: readonly string[],
    userIds: readonly string[],
  ): Promise<readonly RelationshipRow[]> {
    if (familyIds.length === 0) return [];
    const given = known.getStore();
    if (given && given.runner === manager.queryRunner && familyIds.length === 1 && familyIds[0] === given.familyId) {
      const users = new Set(userIds);
      return given.rows.filter((r) => r.family_id === given.familyId && users.has(r.user_id));
    }
    return this.relationships.ofFamilies(manager, familyIds, userIds);
  }

  private async alertRecipients(
    manager: EntityManager,
    alertIds: readonly string[],
    userIds: readonly string[],
  ): Promise<Set<string>> {
    if (alertIds.length === 0) return new Set();
    return this.alerts.addressedPairs(manager, alertIds, userIds);
  }
}

function mayReadContent(ability: HearthAbility, event: EventAudience | undefined, familyId: string): boolean {
  if (!event || event.familyId !== familyId) return false;
  return allows(ability, 'readContent', 'TimelineEvent', {
    familyId: event.familyId,
    visibility: event.visibility,
    agencyId: event.agencyId,
    authorId: event.authorId,
    audienceUserIds: [...event.audienceUserIds],
    audienceAgencyIds: [...event.audienceAgencyIds],
  });
}

function unique(values: readonly (string | null | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string'))];
}
