import { CLOCK, type Clock } from '@hearth/config';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditAction, AuditLog } from '@hearth/audit';
import { Role } from '@hearth/authz';
import { UserRepository } from '@hearth/identity';
import {
  FamilyRepository,
  RelationshipRepository,
  type MembershipChanged,
  type RelationshipRow,
} from '@hearth/network';
import { InboxService, NotificationType } from '@hearth/realtime';
import { TimelineEventRepository, type PostedEvent } from '@hearth/timeline';
import { DEFAULT_ACK_HOURS, SEVERITY_ORDER, type Recipient, type RuleDefinition } from './rule-definition.js';
import { AlertRepository } from './alert.repository.js';
import { RuleCache } from './rule-cache.service.js';
import type { ActiveRule } from './rule.repository.js';

export interface Match {
  readonly dedupKey: string;
  readonly explanation: string;
  readonly matchedEventIds: readonly string[];
  /** A THRESHOLD match's window: its rule and family, and its first event's time. */
  readonly window?: AlertedWindow;
}

interface AlertedWindow {
  readonly key: string;
  readonly first: Date;
}

type Def<K extends RuleDefinition['kind']> = Extract<RuleDefinition, { kind: K }>;

const DAY = 86_400_000;
/**
 * A threshold alert names at most this many of its window's events (the oldest), with the count
 * of all of them: the evidence stays readable, and a rule evaluated on every post of a busy
 * family does not carry every event of its window with each post.
 */
export const MATCHED_EVENTS_SHOWN = 50;
/** How many THRESHOLD windows known to have alerted a process remembers (the oldest forgotten first). */
const ALERTED_WINDOWS_KEPT = 10_000;

/**
 * The early-warning engine. Event-driven rules are evaluated inside the transaction that posts
 * (SQL aggregates over indexed columns, never a timeline loaded into memory); an alert is
 * inserted once per deduplication key, its recipients computed from the network's relationships
 * as they are now, and one inbox notification written per recipient, pushed after commit.
 * Telling people about events, replies and membership is the Notifier's, not the engine's.
 */
@Injectable()
export class AlertEngine {
  constructor(
    private readonly inbox: InboxService,
    private readonly audit: AuditLog,
    private readonly relationships: RelationshipRepository,
    private readonly users: UserRepository,
    private readonly alerts: AlertRepository,
    private readonly rules: RuleCache,
    private readonly families: FamilyRepository,
    private readonly events: TimelineEventRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * THRESHOLD windows whose alert exists, by rule and family: the window's first event's time.
   * Learnt when raising one finds its key taken (so that alert is committed, and alerts are never
   * deleted), never from this process's own insert, which may yet roll back. A post to a family
   * whose window has alerted then finds the window's first event and counts nothing: otherwise
   * every post to a busy family reads its whole window again, to raise nothing.
   */
  private readonly alertedWindows = new Map<string, Date>();

  /** Event-driven rules (THRESHOLD, TRIGGER, SEQUENCE), in the transaction that posted. */
  async eventPosted(manager: EntityManager, event: PostedEvent): Promise<void> {
    for (const rule of await this.rules.enabled(manager, ['THRESHOLD', 'TRIGGER', 'SEQUENCE'])) {
      const match = await this.evaluate(manager, rule, event);
      if (match && !(await this.raise(manager, rule, event.familyId, match)) && match.window)
        this.rememberAlerted(match.window);
    }
  }

  private rememberAlerted(window: AlertedWindow): void {
    this.alertedWindows.delete(window.key);
    this.alertedWindows.set(window.key, window.first);
    if (this.alertedWindows.size > ALERTED_WINDOWS_KEPT)
      this.alertedWindows.delete(this.alertedWindows.keys().next().value!);
  }

  /** NETWORK_GAP rules, in the transaction that changed the network. */
  async membershipChanged(manager: EntityManager, change: MembershipChanged): Promise<void> {
    if (change.change !== 'REMOVED') return;
    for (const rule of await this.rules.enabled(manager, ['NETWORK_GAP'])) {
      const match = await this.networkGap(manager, rule as ActiveRule & { definition: Def<'NETWORK_GAP'> }, change);
      if (match) await this.raise(manager, rule, change.familyId, match);
    }
  }

  /** Inserts the alert unless its deduplication key exists; returns whether it was raised. */
  async raise(manager: EntityManager, rule: ActiveRule, familyId: string, match: Match): Promise<boolean> {
    const now = this.clock.now();
    const hours = rule.definition.acknowledgeWithinHours ?? DEFAULT_ACK_HOURS[rule.definition.rag];
    const alertId = await this.alerts.insertUnlessDuplicate(manager, {
      familyId,
      ruleId: rule.id,
      ruleVersion: rule.version,
      rag: rule.definition.rag,
      dedupKey: match.dedupKey,
      explanation: match.explanation,
      matchedEventIds: match.matchedEventIds,
      raisedAt: now,
      dueBy: new Date(now.getTime() + hours * 3_600_000),
    });
    if (!alertId) return false;
    const recipients = recipientsOf(
      await this.relationships.ofFamilies(manager, [familyId]),
      rule.definition.recipients,
    );
    await this.alerts.addRecipients(manager, alertId, familyId, recipients);
    await this.alerts.recordAt(manager, {
      alertId,
      familyId,
      at: now,
      change: 'RAISED',
      note: `${recipients.length} recipient(s)`,
    });
    await this.audit.record(manager, {
      action: AuditAction.CREATE,
      actor: null,
      subjectType: 'Alert',
      subjectId: alertId,
      familyId,
      reason: `rule ${rule.name} v${rule.version}`,
      detail: { recipients, matchedEvents: [...match.matchedEventIds] },
    });
    await this.inbox.enqueue(manager, recipients, {
      type: NotificationType.ALERT_RAISED,
      familyId,
      alertId,
      rag: rule.definition.rag,
    });
    return true;
  }

  private evaluate(manager: EntityManager, rule: ActiveRule, event: PostedEvent): Promise<Match | undefined> {
    const d = rule.definition;
    switch (d.kind) {
      case 'THRESHOLD':
        return d.eventKinds.includes(event.kind) ? this.threshold(manager, rule, d, event) : Promise.resolve(undefined);
      case 'TRIGGER':
        return d.eventKinds.includes(event.kind) ? this.trigger(manager, rule, d, event) : Promise.resolve(undefined);
      case 'SEQUENCE':
        return d.then.includes(event.kind) ? this.sequence(manager, rule, d, event) : Promise.resolve(undefined);
      case 'ABSENCE':
      case 'NETWORK_GAP':
        return Promise.resolve(undefined);
    }
  }

  private async threshold(
    manager: EntityManager,
    rule: ActiveRule,
    d: Def<'THRESHOLD'>,
    event: PostedEvent,
  ): Promise<Match | undefined> {
    const key = `${rule.id}:${event.familyId}`;
    const alerted = this.alertedWindows.get(key) ?? null;
    const r = await this.events.countInWindow(manager, {
      familyId: event.familyId,
      kinds: d.eventKinds,
      severityOrder: SEVERITY_ORDER,
      minSeverity: d.minSeverity,
      at: event.occurredAt,
      days: d.windowDays,
      shown: MATCHED_EVENTS_SHOWN,
      unlessFirst: alerted,
    });
    if (!r?.first) return undefined;
    // The same window as an alert that exists: its key is taken, there is nothing to raise.
    if (r.first.getTime() === alerted?.getTime()) return undefined;
    if (r.n < d.minCount || r.agencies < d.minAgencies) return undefined;
    const ids = r.ids ?? [];
    return {
      dedupKey: `${rule.id}:${event.familyId}:${r.first.toISOString()}`,
      window: { key, first: r.first },
      matchedEventIds: ids,
      explanation:
        `Rule "${rule.name}" v${rule.version} (THRESHOLD): ${r.n} events of ${d.eventKinds.join('/')} at ${d.minSeverity} or above ` +
        `from ${r.agencies} agencies within ${d.windowDays} days (thresholds: at least ${d.minCount} events from at least ${d.minAgencies} agencies). ` +
        `${ids.length < r.n ? `The first ${ids.length} events` : 'Events'}: ${ids.map((id, i) => `${r.kinds?.[i] ?? ''} ${id}`).join(', ')}.`,
    };
  }

  private async trigger(
    manager: EntityManager,
    rule: ActiveRule,
    d: Def<'TRIGGER'>,
    event: PostedEvent,
  ): Promise<Match | undefined> {
    // Only the facts the rule asks about: the poster's agency from identity, the family and its
    // children among the event's subjects from network.
    const poster = d.postedByAgencyKinds ? await this.users.findById(event.authorId, manager) : undefined;
    const family =
      d.familyProtectionStatuses || d.concernsChild || d.childUnderMonths
        ? await this.families.protectionAndChildren(manager, {
            familyId: event.familyId,
            personIds: event.subjectIds,
            childUnderMonths: d.childUnderMonths ?? null,
            at: event.occurredAt,
          })
        : undefined;
    const r = {
      agency_kind: poster?.agency_kind,
      protection_status: family?.protection_status,
      children: family?.children,
    };
    if (d.postedByAgencyKinds && !d.postedByAgencyKinds.includes(r.agency_kind as never)) return undefined;
    if (d.familyProtectionStatuses && !d.familyProtectionStatuses.includes(r.protection_status as never))
      return undefined;
    if ((d.concernsChild || d.childUnderMonths) && !r.children?.length) return undefined;
    const conditions = [
      d.postedByAgencyKinds ? `posted by ${r.agency_kind}` : undefined,
      d.concernsChild
        ? `concerning a child${d.childUnderMonths ? ` under ${d.childUnderMonths} months` : ''}`
        : undefined,
      d.familyProtectionStatuses ? `family on ${r.protection_status}` : undefined,
    ].filter(Boolean);
    return {
      dedupKey: `${rule.id}:${event.id}`,
      matchedEventIds: [event.id],
      explanation: `Rule "${rule.name}" v${rule.version} (TRIGGER): ${event.kind}${conditions.length ? ` ${conditions.join(', ')}` : ''}. Event: ${event.kind} ${event.id}.`,
    };
  }

  private async sequence(
    manager: EntityManager,
    rule: ActiveRule,
    d: Def<'SEQUENCE'>,
    event: PostedEvent,
  ): Promise<Match | undefined> {
    const first = await this.events.latestInWindow(manager, {
      familyId: event.familyId,
      kinds: d.first,
      exceptId: event.id,
      at: event.occurredAt,
      days: d.withinDays,
    });
    if (!first) return undefined;
    return {
      dedupKey: `${rule.id}:${first.id}`,
      matchedEventIds: [first.id, event.id],
      explanation: `Rule "${rule.name}" v${rule.version} (SEQUENCE): ${first.kind} then ${event.kind} within ${d.withinDays} days. Events: ${first.kind} ${first.id}, ${event.kind} ${event.id}.`,
    };
  }

  private async networkGap(
    manager: EntityManager,
    rule: ActiveRule & { definition: Def<'NETWORK_GAP'> },
    change: MembershipChanged,
  ): Promise<Match | undefined> {
    const d = rule.definition;
    const leaver = await this.users.findById(change.userId, manager);
    const protectionStatus = await this.families.protectionStatus(manager, change.familyId);
    if (!leaver || !protectionStatus) return undefined;
    const remaining = (await this.relationships.ofFamilies(manager, [change.familyId])).filter(
      (m) => isMember(m) && m.agency_kind === leaver.agency_kind,
    ).length;
    const r = { left_kind: leaver.agency_kind, protection_status: protectionStatus };
    if (
      remaining > 0 ||
      !d.agencyKinds.includes(r.left_kind) ||
      !d.familyProtectionStatuses.includes(r.protection_status)
    ) {
      return undefined;
    }
    const day = this.clock.now().toISOString().slice(0, 10);
    return {
      dedupKey: `${rule.id}:${change.familyId}:${r.left_kind}:${day}`,
      matchedEventIds: [],
      explanation: `Rule "${rule.name}" v${rule.version} (NETWORK_GAP): the last ${r.left_kind} member left the network of a family on ${r.protection_status}.`,
    };
  }

  /** ABSENCE rules, run by the scheduler: families on the listed plans with nothing recorded for too long. */
  async evaluateAbsence(manager: EntityManager, now: Date): Promise<number> {
    let raised = 0;
    for (const rule of await this.rules.enabled(manager, ['ABSENCE'])) {
      const d = rule.definition as Def<'ABSENCE'>;
      const open = await this.families.openWithProtectionStatus(manager, d.familyProtectionStatuses);
      const recorded = new Map(
        (open.length
          ? await this.events.lastRecorded(
              manager,
              open.map((f) => f.id),
            )
          : []
        ).map((r) => [r.family_id, r.last]),
      );
      const rows = open.map((f) => {
        const last = recorded.get(f.id);
        return { id: f.id, last: last && last > f.created_at ? last : f.created_at };
      });
      for (const family of rows.filter((f) => now.getTime() - f.last.getTime() >= d.days * DAY)) {
        const match: Match = {
          dedupKey: `${rule.id}:${family.id}:${family.last.toISOString()}`,
          matchedEventIds: [],
          explanation: `Rule "${rule.name}" v${rule.version} (ABSENCE): nothing recorded for ${Math.floor((now.getTime() - family.last.getTime()) / DAY)} days (threshold: ${d.days} days) since ${family.last.toISOString()}.`,
        };
        if (await this.raise(manager, rule, family.id, match)) raised++;
      }
    }
    return raised;
  }
}

function isMember(row: RelationshipRow): boolean {
  return row.via === 'LEAD' || row.via === 'MEMBER';
}

/** Recipients by their role in the network, from its relationships as they are now. */
function recipientsOf(rows: readonly RelationshipRow[], recipients: readonly Recipient[]): string[] {
  const kinds = new Set(recipients.flatMap((r) => (typeof r === 'object' ? [r.agencyKind] : [])));
  const chosen = rows.filter(
    (m) =>
      isMember(m) &&
      ((recipients.includes('LEAD') && m.via === 'LEAD') ||
        recipients.includes('NETWORK') ||
        kinds.has(m.agency_kind) ||
        (recipients.includes('MANAGERS') && m.roles.includes(Role.MANAGER))),
  );
  return [...new Set(chosen.map((m) => m.user_id))];
}
