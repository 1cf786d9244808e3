import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { allows, Role, type HearthAbility } from '@hearth/authz';
import { UserRepository } from '@hearth/identity';
import { abilitiesFrom, RelationshipRepository } from '@hearth/network';
import { NotificationType, type AudienceCheck, type NotificationAudience } from '@hearth/realtime';
import { eventAudiences, type EventAudience } from '@hearth/timeline';
import { AlertRepository } from './alert.repository.js';

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
      familyIds.length > 0 ? this.relationships.ofFamilies(manager, familyIds, userIds) : [],
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
