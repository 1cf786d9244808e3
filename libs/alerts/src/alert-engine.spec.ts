import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '@hearth/audit';
import { UserRepository } from '@hearth/identity';
import { FamilyRepository, RelationshipRepository } from '@hearth/network';
import { DomainEvents } from '@hearth/database';
import { InboxService, NotificationRepository } from '@hearth/realtime';
import { createTestDataSource, type TestDataSource } from '@hearth/testing';
import { TimelineEventRepository, type PostedEvent } from '@hearth/timeline';
import { AlertEngine, MATCHED_EVENTS_SHOWN } from './alert-engine.service.js';
import { AlertRepository } from './alert.repository.js';
import { NotificationAudienceService } from './notification-audience.service.js';
import { RuleCache } from './rule-cache.service.js';
import { RuleRepository } from './rule.repository.js';

/**
 * The seven default rules (as the CreateAlerts migration ships them), each driven through the
 * engine's public methods over real rows: what fires, what does not, who is told, the
 * deduplication key and the explanation.
 */
const RULE = {
  multiAgency: '6f1c0d2e-0001-4c1a-9a51-000000000001',
  encompass: '6f1c0d2e-0002-4c1a-9a51-000000000002',
  cpis: '6f1c0d2e-0003-4c1a-9a51-000000000003',
  babyInjury: '6f1c0d2e-0004-4c1a-9a51-000000000004',
  repeatIncidents: '6f1c0d2e-0005-4c1a-9a51-000000000005',
  networkGap: '6f1c0d2e-0006-4c1a-9a51-000000000006',
  silence: '6f1c0d2e-0007-4c1a-9a51-000000000007',
} as const;

const DAY = 86_400_000;
const NOW = new Date();
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

let db: TestDataSource;
let engine: AlertEngine;
const agency: Record<'SOCIAL_CARE' | 'POLICE' | 'EDUCATION' | 'HEALTH', string> = {
  SOCIAL_CARE: '',
  POLICE: '',
  EDUCATION: '',
  HEALTH: '',
};

beforeAll(async () => {
  db = await createTestDataSource(2);
  const users = new UserRepository(db.dataSource);
  const relationships = new RelationshipRepository();
  const alerts = new AlertRepository();
  const inbox = new InboxService(
    db.dataSource,
    db.dataSource,
    new DomainEvents(db.dataSource),
    new NotificationRepository(db.dataSource, db.dataSource),
    new NotificationAudienceService(relationships, users, alerts),
  );
  engine = new AlertEngine(
    inbox,
    new AuditLog(),
    relationships,
    users,
    alerts,
    new RuleCache(new RuleRepository()),
    new FamilyRepository(),
    new TimelineEventRepository(db.dataSource),
    { now: () => NOW },
  );
  for (const kind of Object.keys(agency) as (keyof typeof agency)[]) {
    const [row] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO agencies (name, kind) VALUES ($1, $2) RETURNING id`,
      [`${kind} ${randomUUID()}`, kind],
    );
    agency[kind] = row!.id;
  }
});
afterAll(() => db.close());

interface Network {
  readonly familyId: string;
  readonly lead: string;
  readonly police: string;
  readonly school: string;
  readonly health: string;
  readonly child: string;
  readonly parent: string;
}

async function user(manager: EntityManager, kind: keyof typeof agency): Promise<string> {
  const [row] = await manager.query<{ id: string }[]>(
    `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, $2, $3, '{PRACTITIONER}') RETURNING id`,
    [agency[kind], `${randomUUID()}@example.test`, `${kind} practitioner`],
  );
  return row!.id;
}

/** A family led by social care, with police, school and health in its network, a child and a parent. */
async function network(
  options: { protectionStatus?: string; childBorn?: Date; createdAt?: Date } = {},
): Promise<Network> {
  return db.dataSource.transaction(async (manager) => {
    const lead = await user(manager, 'SOCIAL_CARE');
    const police = await user(manager, 'POLICE');
    const school = await user(manager, 'EDUCATION');
    const health = await user(manager, 'HEALTH');
    const [family] = await manager.query<{ id: string }[]>(
      `INSERT INTO families (reference, protection_status, lead_user_id, created_by, created_at)
       VALUES ($1, $2, $3, $3, $4) RETURNING id`,
      [`T-${randomUUID()}`, options.protectionStatus ?? 'NONE', lead, options.createdAt ?? NOW],
    );
    const familyId = family!.id;
    for (const [member, role] of [
      [lead, 'LEAD'],
      [police, 'MEMBER'],
      [school, 'MEMBER'],
      [health, 'MEMBER'],
    ] as const)
      await manager.query(`INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, $3, $4)`, [
        familyId,
        member,
        role,
        lead,
      ]);
    const person = async (role: string, born: Date) => {
      const [row] = await manager.query<{ id: string }[]>(
        `INSERT INTO persons (given_name, family_name, date_of_birth, recorded_by_agency_id)
         VALUES ('Test', $1, $2, $3) RETURNING id`,
        [role, born.toISOString().slice(0, 10), agency.SOCIAL_CARE],
      );
      await manager.query(
        `INSERT INTO family_memberships (family_id, person_id, role, added_by) VALUES ($1, $2, $3, $4)`,
        [familyId, row!.id, role, lead],
      );
      return row!.id;
    };
    const child = await person('CHILD', options.childBorn ?? daysAgo(6 * 365));
    const parent = await person('PARENT', daysAgo(30 * 365));
    return { familyId, lead, police, school, health, child, parent };
  });
}

interface Post {
  readonly kind: string;
  readonly severity?: string;
  readonly by: keyof typeof agency;
  readonly author: string;
  readonly occurredAt?: Date;
  readonly recordedAt?: Date;
  readonly subjects?: readonly string[];
}

/** Records an event as the timeline does and runs the engine in the same transaction. */
async function post(net: Network, event: Post): Promise<string> {
  return db.dataSource.transaction(async (manager) => {
    const occurredAt = event.occurredAt ?? NOW;
    const [row] = await manager.query<{ id: string }[]>(
      `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, recorded_at, agency_id, author_id, visibility, summary)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'NETWORK', 'test event') RETURNING id`,
      [
        net.familyId,
        event.kind,
        event.severity ?? 'MEDIUM',
        occurredAt,
        event.recordedAt ?? NOW,
        agency[event.by],
        event.author,
      ],
    );
    const id = row!.id;
    for (const personId of event.subjects ?? [])
      await manager.query(`INSERT INTO event_subjects (family_id, event_id, person_id) VALUES ($1, $2, $3)`, [
        net.familyId,
        id,
        personId,
      ]);
    const posted: PostedEvent = {
      id,
      familyId: net.familyId,
      kind: event.kind as PostedEvent['kind'],
      severity: (event.severity ?? 'MEDIUM') as PostedEvent['severity'],
      occurredAt,
      agencyId: agency[event.by],
      authorId: event.author,
      visibility: 'NETWORK' as PostedEvent['visibility'],
      subjectIds: event.subjects ?? [],
    };
    await engine.eventPosted(manager, posted);
    return id;
  });
}

interface AlertRow {
  id: string;
  rag: string;
  status: string;
  dedup_key: string;
  explanation: string;
  matched_event_ids: string[];
  raised_at: Date;
  due_by: Date;
  recipients: string[];
}

async function alerts(familyId: string, ruleId: string): Promise<AlertRow[]> {
  return db.dataSource.query<AlertRow[]>(
    `SELECT a.id, a.rag, a.status, a.dedup_key, a.explanation, a.matched_event_ids, a.raised_at, a.due_by,
            COALESCE((SELECT array_agg(r.user_id::text ORDER BY r.user_id) FROM alert_recipients r WHERE r.alert_id = a.id), '{}') AS recipients
     FROM alerts a WHERE a.family_id = $1 AND a.rule_id = $2 ORDER BY a.raised_at, a.id`,
    [familyId, ruleId],
  );
}

const sorted = (...ids: string[]) => [...ids].sort();

describe('Multi-agency concerns (THRESHOLD)', () => {
  it('fires on the third MEDIUM-or-worse concern from two agencies within 30 days, to the lead and the network', async () => {
    const net = await network();
    const first = await post(net, { kind: 'CONCERN', by: 'EDUCATION', author: net.school, occurredAt: daysAgo(20) });
    await post(net, { kind: 'CONCERN', severity: 'LOW', by: 'HEALTH', author: net.health, occurredAt: daysAgo(15) });
    const second = await post(net, { kind: 'INCIDENT', by: 'POLICE', author: net.police, occurredAt: daysAgo(10) });
    expect(await alerts(net.familyId, RULE.multiAgency)).toEqual([]); // two that count, LOW does not

    const third = await post(net, { kind: 'MISSING_EPISODE', severity: 'HIGH', by: 'POLICE', author: net.police });
    const [alert, ...more] = await alerts(net.familyId, RULE.multiAgency);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rag: 'AMBER', status: 'OPEN', matched_event_ids: [first, second, third] });
    expect(alert!.recipients).toEqual(sorted(net.lead, net.police, net.school, net.health));
    // Deduplicated by rule, family and the window's first event.
    expect(alert!.dedup_key).toBe(`${RULE.multiAgency}:${net.familyId}:${daysAgo(20).toISOString()}`);
    expect(alert!.explanation).toBe(
      `Rule "Multi-agency concerns" v1 (THRESHOLD): 3 events of CONCERN/INCIDENT/MISSING_EPISODE/DOMESTIC_ABUSE_INCIDENT/INJURY ` +
        `at MEDIUM or above from 2 agencies within 30 days (thresholds: at least 3 events from at least 2 agencies). ` +
        `Events: CONCERN ${first}, INCIDENT ${second}, MISSING_EPISODE ${third}.`,
    );
    expect(alert!.due_by.getTime() - alert!.raised_at.getTime()).toBeGreaterThan(0);
  });

  it('raises the same window once: a fourth concern in it adds no alert', async () => {
    const net = await network();
    for (const days of [9, 6, 3])
      await post(net, {
        kind: 'CONCERN',
        by: days === 6 ? 'HEALTH' : 'EDUCATION',
        author: net.school,
        occurredAt: daysAgo(days),
      });
    await post(net, { kind: 'CONCERN', by: 'EDUCATION', author: net.school });
    expect(await alerts(net.familyId, RULE.multiAgency)).toHaveLength(1);
  });

  it('raises each window once, and a new window however the last was remembered: a concern before its start, or its start left behind', async () => {
    const net = await network();
    const concern = (by: 'EDUCATION' | 'HEALTH' | 'POLICE', occurredAt: Date) =>
      post(net, {
        kind: 'CONCERN',
        by,
        author: by === 'EDUCATION' ? net.school : by === 'HEALTH' ? net.health : net.police,
        occurredAt,
      });
    const keys = async () => sorted(...(await alerts(net.familyId, RULE.multiAgency)).map((a) => a.dedup_key));
    const windowFrom = (at: Date) => `${RULE.multiAgency}:${net.familyId}:${at.toISOString()}`;
    for (const [by, days] of [
      ['EDUCATION', 20],
      ['HEALTH', 15],
      ['EDUCATION', 10],
    ] as const)
      await concern(by, daysAgo(days));
    expect(await keys()).toEqual([windowFrom(daysAgo(20))]);
    // The same window, twice more (the second time known to have alerted): nothing new.
    await concern('EDUCATION', NOW);
    await concern('HEALTH', NOW);
    expect(await keys()).toEqual([windowFrom(daysAgo(20))]);
    // A concern recorded late, from before the window's start (its own window holds it alone):
    // the next concern's window starts there.
    await concern('POLICE', daysAgo(25));
    expect(await keys()).toEqual([windowFrom(daysAgo(20))]);
    await concern('HEALTH', NOW);
    expect(await keys()).toEqual(sorted(windowFrom(daysAgo(20)), windowFrom(daysAgo(25))));
    // One that occurs when the first two have left the window: it starts at the third.
    await concern('POLICE', new Date(daysAgo(20).getTime() + 30 * DAY + 60_000));
    expect(await keys()).toEqual(sorted(windowFrom(daysAgo(20)), windowFrom(daysAgo(25)), windowFrom(daysAgo(15))));
  });

  it('does not fire for three concerns from one agency, or spread beyond 30 days', async () => {
    const oneAgency = await network();
    for (const days of [5, 3, 1])
      await post(oneAgency, { kind: 'CONCERN', by: 'EDUCATION', author: oneAgency.school, occurredAt: daysAgo(days) });
    expect(await alerts(oneAgency.familyId, RULE.multiAgency)).toEqual([]);

    const spread = await network();
    await post(spread, { kind: 'CONCERN', by: 'EDUCATION', author: spread.school, occurredAt: daysAgo(70) });
    await post(spread, { kind: 'CONCERN', by: 'HEALTH', author: spread.health, occurredAt: daysAgo(35) });
    await post(spread, { kind: 'CONCERN', by: 'POLICE', author: spread.police });
    expect(await alerts(spread.familyId, RULE.multiAgency)).toEqual([]);
  });

  it('names the oldest 50 events of a busy window, and counts them all', async () => {
    const net = await network();
    // 60 concerns from the school over the last 20 days: one agency, so no alert yet.
    const school: { id: string }[] = await db.dataSource.query(
      `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, recorded_at, agency_id, author_id, visibility, summary)
       SELECT $1, 'CONCERN', 'MEDIUM', $2::timestamptz - make_interval(mins => 60 * 20 * 24 - i * 400), $2, $3, $4, 'NETWORK', 'test event'
       FROM generate_series(0, 59) AS i ORDER BY i RETURNING id`,
      [net.familyId, NOW, agency.EDUCATION, net.school],
    );
    expect(await alerts(net.familyId, RULE.multiAgency)).toEqual([]);
    await post(net, { kind: 'INCIDENT', by: 'POLICE', author: net.police });
    const [alert, ...more] = await alerts(net.familyId, RULE.multiAgency);
    expect(more).toEqual([]);
    expect(alert!.matched_event_ids).toEqual(school.slice(0, MATCHED_EVENTS_SHOWN).map((row) => row.id));
    expect(alert!.explanation).toContain('61 events of CONCERN/');
    expect(alert!.explanation).toContain('from 2 agencies');
    expect(alert!.explanation).toContain(`The first 50 events: CONCERN ${school[0]!.id}, `);
    expect(alert!.explanation).toContain(`CONCERN ${school[49]!.id}.`);
    expect(alert!.explanation).not.toContain(school[50]!.id);
  });
});

describe('Domestic abuse notification, Operation Encompass (TRIGGER)', () => {
  it("fires RED to the child's school when the police record domestic abuse concerning a child", async () => {
    const net = await network();
    const event = await post(net, {
      kind: 'DOMESTIC_ABUSE_INCIDENT',
      by: 'POLICE',
      author: net.police,
      subjects: [net.parent, net.child],
    });
    const [alert, ...more] = await alerts(net.familyId, RULE.encompass);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rag: 'RED', matched_event_ids: [event], recipients: [net.school] });
    expect(alert!.dedup_key).toBe(`${RULE.encompass}:${event}`);
    expect(alert!.explanation).toBe(
      `Rule "Domestic abuse notification (Operation Encompass)" v1 (TRIGGER): DOMESTIC_ABUSE_INCIDENT posted by POLICE, ` +
        `concerning a child. Event: DOMESTIC_ABUSE_INCIDENT ${event}.`,
    );
    // The school is told through its inbox.
    const told = await db.dataSource.query<{ user_id: string }[]>(
      `SELECT user_id FROM notifications WHERE alert_id = $1 AND type = 'ALERT_RAISED'`,
      [alert!.id],
    );
    expect(told.map((row) => row.user_id)).toEqual([net.school]);
  });

  it('does not fire when another agency records it, or when no child is concerned', async () => {
    const net = await network();
    await post(net, { kind: 'DOMESTIC_ABUSE_INCIDENT', by: 'HEALTH', author: net.health, subjects: [net.child] });
    await post(net, { kind: 'DOMESTIC_ABUSE_INCIDENT', by: 'POLICE', author: net.police, subjects: [net.parent] });
    expect(await alerts(net.familyId, RULE.encompass)).toEqual([]);
  });
});

describe('Unscheduled care for a child on a plan, CP-IS (TRIGGER)', () => {
  it('fires RED to the lead when a child on a protection plan attends unscheduled care', async () => {
    const net = await network({ protectionStatus: 'CHILD_PROTECTION_PLAN' });
    const event = await post(net, {
      kind: 'UNSCHEDULED_CARE_ATTENDANCE',
      by: 'HEALTH',
      author: net.health,
      subjects: [net.child],
    });
    const [alert, ...more] = await alerts(net.familyId, RULE.cpis);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rag: 'RED', matched_event_ids: [event], recipients: [net.lead] });
    expect(alert!.explanation).toBe(
      `Rule "Unscheduled care for a child on a plan (CP-IS)" v1 (TRIGGER): UNSCHEDULED_CARE_ATTENDANCE concerning a child, ` +
        `family on CHILD_PROTECTION_PLAN. Event: UNSCHEDULED_CARE_ATTENDANCE ${event}.`,
    );
  });

  it('does not fire for a family on no plan', async () => {
    const net = await network({ protectionStatus: 'CHILD_IN_NEED' });
    await post(net, { kind: 'UNSCHEDULED_CARE_ATTENDANCE', by: 'HEALTH', author: net.health, subjects: [net.child] });
    expect(await alerts(net.familyId, RULE.cpis)).toEqual([]);
  });
});

describe('Injury to a non-mobile baby (TRIGGER)', () => {
  it('fires RED to the lead and the network for an injury to a child under 12 months', async () => {
    const net = await network({ childBorn: daysAgo(120) });
    const event = await post(net, { kind: 'INJURY', by: 'HEALTH', author: net.health, subjects: [net.child] });
    const [alert, ...more] = await alerts(net.familyId, RULE.babyInjury);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rag: 'RED', matched_event_ids: [event] });
    expect(alert!.recipients).toEqual(sorted(net.lead, net.police, net.school, net.health));
    expect(alert!.explanation).toBe(
      `Rule "Injury to a non-mobile baby" v1 (TRIGGER): INJURY concerning a child under 12 months. Event: INJURY ${event}.`,
    );
  });

  it('does not fire for an older child, or an injury to an adult', async () => {
    const net = await network({ childBorn: daysAgo(3 * 365) });
    await post(net, { kind: 'INJURY', by: 'HEALTH', author: net.health, subjects: [net.child] });
    const baby = await network({ childBorn: daysAgo(60) });
    await post(baby, { kind: 'INJURY', by: 'HEALTH', author: baby.health, subjects: [baby.parent] });
    expect(await alerts(net.familyId, RULE.babyInjury)).toEqual([]);
    expect(await alerts(baby.familyId, RULE.babyInjury)).toEqual([]);
  });
});

describe('Repeat incidents (THRESHOLD)', () => {
  it('fires AMBER to the lead on the third incident within a year, even from one agency and at INFO', async () => {
    const net = await network();
    const ids = [
      await post(net, {
        kind: 'INCIDENT',
        severity: 'INFO',
        by: 'POLICE',
        author: net.police,
        occurredAt: daysAgo(300),
      }),
      await post(net, {
        kind: 'DOMESTIC_ABUSE_INCIDENT',
        severity: 'LOW',
        by: 'POLICE',
        author: net.police,
        occurredAt: daysAgo(100),
      }),
    ];
    expect(await alerts(net.familyId, RULE.repeatIncidents)).toEqual([]);
    ids.push(await post(net, { kind: 'INCIDENT', severity: 'INFO', by: 'POLICE', author: net.police }));
    const [alert, ...more] = await alerts(net.familyId, RULE.repeatIncidents);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rag: 'AMBER', matched_event_ids: ids, recipients: [net.lead] });
    expect(alert!.dedup_key).toBe(`${RULE.repeatIncidents}:${net.familyId}:${daysAgo(300).toISOString()}`);
    expect(alert!.explanation).toContain(
      '3 events of DOMESTIC_ABUSE_INCIDENT/INCIDENT at INFO or above from 1 agencies within 365 days',
    );
  });

  it('does not count an incident more than a year old', async () => {
    const net = await network();
    await post(net, { kind: 'INCIDENT', by: 'POLICE', author: net.police, occurredAt: daysAgo(400) });
    await post(net, { kind: 'INCIDENT', by: 'POLICE', author: net.police, occurredAt: daysAgo(200) });
    await post(net, { kind: 'INCIDENT', by: 'POLICE', author: net.police });
    expect(await alerts(net.familyId, RULE.repeatIncidents)).toEqual([]);
  });
});

describe('Network gap (NETWORK_GAP)', () => {
  async function remove(net: Network, userId: string): Promise<void> {
    await db.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE network_members SET removed_at = now(), removed_by = $3 WHERE family_id = $1 AND user_id = $2`,
        [net.familyId, userId, net.lead],
      );
      await engine.membershipChanged(manager, { familyId: net.familyId, userId, change: 'REMOVED' });
    });
  }

  it('fires GREEN to the lead when the last school member leaves a family on a protection plan', async () => {
    const net = await network({ protectionStatus: 'CHILD_PROTECTION_PLAN' });
    await remove(net, net.school);
    const [alert, ...more] = await alerts(net.familyId, RULE.networkGap);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rag: 'GREEN', matched_event_ids: [], recipients: [net.lead] });
    expect(alert!.dedup_key).toBe(`${RULE.networkGap}:${net.familyId}:EDUCATION:${NOW.toISOString().slice(0, 10)}`);
    expect(alert!.explanation).toBe(
      `Rule "Network gap" v1 (NETWORK_GAP): the last EDUCATION member left the network of a family on CHILD_PROTECTION_PLAN.`,
    );
  });

  it('does not fire while another member of that agency kind remains, for police leaving, or off a plan', async () => {
    const net = await network({ protectionStatus: 'CHILD_PROTECTION_PLAN' });
    const secondSchool = await db.dataSource.transaction((manager) => user(manager, 'EDUCATION'));
    await db.dataSource.query(
      `INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'MEMBER', $3)`,
      [net.familyId, secondSchool, net.lead],
    );
    await remove(net, net.school);
    await remove(net, net.police);
    const offPlan = await network({ protectionStatus: 'CHILD_IN_NEED' });
    await remove(offPlan, offPlan.health);
    expect(await alerts(net.familyId, RULE.networkGap)).toEqual([]);
    expect(await alerts(offPlan.familyId, RULE.networkGap)).toEqual([]);
  });
});

describe('Silence (ABSENCE)', () => {
  it('fires AMBER to the lead for a family on a plan with nothing recorded for 10 days, once per silence', async () => {
    const silent = await network({ protectionStatus: 'CHILD_PROTECTION_PLAN', createdAt: daysAgo(60) });
    await post(silent, {
      kind: 'NOTE',
      by: 'SOCIAL_CARE',
      author: silent.lead,
      occurredAt: daysAgo(12),
      recordedAt: daysAgo(11),
    });
    const recent = await network({ protectionStatus: 'CHILD_PROTECTION_PLAN', createdAt: daysAgo(60) });
    await post(recent, { kind: 'NOTE', by: 'SOCIAL_CARE', author: recent.lead, recordedAt: daysAgo(2) });
    const offPlan = await network({ protectionStatus: 'EARLY_HELP', createdAt: daysAgo(60) });

    await db.dataSource.transaction((manager) => engine.evaluateAbsence(manager, NOW));
    const [alert, ...more] = await alerts(silent.familyId, RULE.silence);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ rag: 'AMBER', matched_event_ids: [], recipients: [silent.lead] });
    expect(alert!.dedup_key).toBe(`${RULE.silence}:${silent.familyId}:${daysAgo(11).toISOString()}`);
    expect(alert!.explanation).toBe(
      `Rule "Silence" v1 (ABSENCE): nothing recorded for 11 days (threshold: 10 days) since ${daysAgo(11).toISOString()}.`,
    );
    expect(await alerts(recent.familyId, RULE.silence)).toEqual([]);
    expect(await alerts(offPlan.familyId, RULE.silence)).toEqual([]);

    // The next round finds the same silence: no second alert.
    await db.dataSource.transaction((manager) => engine.evaluateAbsence(manager, NOW));
    expect(await alerts(silent.familyId, RULE.silence)).toHaveLength(1);
  });
});
