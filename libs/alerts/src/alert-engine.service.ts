import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditAction, AuditLog } from '@hearth/audit';
import { Role } from '@hearth/authz';
import { UserRepository } from '@hearth/identity';
import { RelationshipRepository, type MembershipChanged, type RelationshipRow } from '@hearth/network';
import { InboxService, NotificationType } from '@hearth/realtime';
import type { PostedEvent } from '@hearth/timeline';
import { ALERT_CLOCK, type AlertClock } from './clock.js';
import { DEFAULT_ACK_HOURS, SEVERITY_ORDER, type Recipient, type RuleDefinition } from './rule-definition.js';
import { enabledRules, type ActiveRule } from './rule.repository.js';

export interface Match {
  readonly dedupKey: string;
  readonly explanation: string;
  readonly matchedEventIds: readonly string[];
}

type Def<K extends RuleDefinition['kind']> = Extract<RuleDefinition, { kind: K }>;

const DAY = 86_400_000;

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
    @Inject(ALERT_CLOCK) private readonly clock: AlertClock,
  ) {}

  /** Event-driven rules (THRESHOLD, TRIGGER, SEQUENCE), in the transaction that posted. */
  async eventPosted(manager: EntityManager, event: PostedEvent): Promise<void> {
    for (const rule of await enabledRules(manager, ['THRESHOLD', 'TRIGGER', 'SEQUENCE'])) {
      const match = await this.evaluate(manager, rule, event);
      if (match) await this.raise(manager, rule, event.familyId, match);
    }
  }

  /** NETWORK_GAP rules, in the transaction that changed the network. */
  async membershipChanged(manager: EntityManager, change: MembershipChanged): Promise<void> {
    if (change.change !== 'REMOVED') return;
    for (const rule of await enabledRules(manager, ['NETWORK_GAP'])) {
      const match = await this.networkGap(manager, rule as ActiveRule & { definition: Def<'NETWORK_GAP'> }, change);
      if (match) await this.raise(manager, rule, change.familyId, match);
    }
  }

  /** Inserts the alert unless its deduplication key exists; returns whether it was raised. */
  async raise(manager: EntityManager, rule: ActiveRule, familyId: string, match: Match): Promise<boolean> {
    const now = this.clock.now();
    const hours = rule.definition.acknowledgeWithinHours ?? DEFAULT_ACK_HOURS[rule.definition.rag];
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO alerts (family_id, rule_id, rule_version, rag, dedup_key, explanation, matched_event_ids, raised_at, due_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
      [
        familyId,
        rule.id,
        rule.version,
        rule.definition.rag,
        match.dedupKey,
        match.explanation,
        match.matchedEventIds,
        now,
        new Date(now.getTime() + hours * 3_600_000),
      ],
    );
    const alertId = rows[0]?.id;
    if (!alertId) return false;
    const recipients = recipientsOf(
      await this.relationships.ofFamilies(manager, [familyId]),
      rule.definition.recipients,
    );
    await manager.query(
      `INSERT INTO alert_recipients (alert_id, family_id, user_id, reason) SELECT $1, $2, unnest($3::uuid[]), 'RECIPIENT'`,
      [alertId, familyId, recipients],
    );
    await manager.query(
      `INSERT INTO alert_history (alert_id, family_id, at, change, note) VALUES ($1, $2, $3, 'RAISED', $4)`,
      [alertId, familyId, now, `${recipients.length} recipient(s)`],
    );
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
    const rows: { n: number; agencies: number; ids: string[] | null; kinds: string[] | null; first: Date | null }[] =
      await manager.query(
        `SELECT count(*)::int AS n, count(DISTINCT agency_id)::int AS agencies,
              array_agg(id ORDER BY occurred_at, id) AS ids, array_agg(kind ORDER BY occurred_at, id) AS kinds, min(occurred_at) AS first
       FROM timeline_events
       WHERE family_id = $1 AND kind = ANY($2) AND array_position($3::text[], severity) >= $4
         AND occurred_at > $5::timestamptz - make_interval(days => $6) AND occurred_at <= $5 AND amends_event_id IS NULL`,
        [
          event.familyId,
          d.eventKinds,
          SEVERITY_ORDER,
          SEVERITY_ORDER.indexOf(d.minSeverity) + 1,
          event.occurredAt,
          d.windowDays,
        ],
      );
    const r = rows[0];
    if (!r || !r.first || r.n < d.minCount || r.agencies < d.minAgencies) return undefined;
    const ids = r.ids ?? [];
    return {
      dedupKey: `${rule.id}:${event.familyId}:${r.first.toISOString()}`,
      matchedEventIds: ids,
      explanation:
        `Rule "${rule.name}" v${rule.version} (THRESHOLD): ${r.n} events of ${d.eventKinds.join('/')} at ${d.minSeverity} or above ` +
        `from ${r.agencies} agencies within ${d.windowDays} days (thresholds: at least ${d.minCount} events from at least ${d.minAgencies} agencies). ` +
        `Events: ${ids.map((id, i) => `${r.kinds?.[i] ?? ''} ${id}`).join(', ')}.`,
    };
  }

  private async trigger(
    manager: EntityManager,
    rule: ActiveRule,
    d: Def<'TRIGGER'>,
    event: PostedEvent,
  ): Promise<Match | undefined> {
    const rows: { agency_kind: string; protection_status: string; children: string[] | null }[] = await manager.query(
      `SELECT (SELECT kind FROM agencies WHERE id = $1) AS agency_kind,
              (SELECT protection_status FROM families WHERE id = $2) AS protection_status,
              (SELECT array_agg(p.id) FROM event_subjects s
                 JOIN family_memberships fm ON fm.family_id = s.family_id AND fm.person_id = s.person_id
                 JOIN persons p ON p.id = s.person_id
               WHERE s.event_id = $3 AND fm.role = 'CHILD'
                 AND ($4::int IS NULL OR p.date_of_birth > ($5::timestamptz - make_interval(months => $4))::date)) AS children`,
      [event.agencyId, event.familyId, event.id, d.childUnderMonths ?? null, event.occurredAt],
    );
    const r = rows[0];
    if (!r) return undefined;
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
    const rows: { id: string; kind: string }[] = await manager.query(
      `SELECT id, kind FROM timeline_events
       WHERE family_id = $1 AND kind = ANY($2) AND id <> $3 AND amends_event_id IS NULL
         AND occurred_at >= $4::timestamptz - make_interval(days => $5) AND occurred_at <= $4
       ORDER BY occurred_at DESC LIMIT 1`,
      [event.familyId, d.first, event.id, event.occurredAt, d.withinDays],
    );
    const first = rows[0];
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
    const families: { protection_status: string }[] = await manager.query(
      `SELECT protection_status FROM families WHERE id = $1`,
      [change.familyId],
    );
    const family = families[0];
    if (!leaver || !family) return undefined;
    const remaining = (await this.relationships.ofFamilies(manager, [change.familyId])).filter(
      (m) => isMember(m) && m.agency_kind === leaver.agency_kind,
    ).length;
    const r = { left_kind: leaver.agency_kind, protection_status: family.protection_status };
    if (
      remaining > 0 ||
      !d.agencyKinds.includes(r.left_kind) ||
      !d.familyProtectionStatuses.includes(r.protection_status as never)
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
    for (const rule of await enabledRules(manager, ['ABSENCE'])) {
      const d = rule.definition as Def<'ABSENCE'>;
      const rows: { id: string; last: Date }[] = await manager.query(
        `SELECT f.id, GREATEST(f.created_at, COALESCE((SELECT max(recorded_at) FROM timeline_events e WHERE e.family_id = f.id), f.created_at)) AS last
         FROM families f WHERE f.status = 'OPEN' AND f.protection_status = ANY($1)`,
        [d.familyProtectionStatuses],
      );
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
