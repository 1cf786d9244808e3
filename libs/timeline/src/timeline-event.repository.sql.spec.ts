import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { defineAbility, Role } from '@hearth/authz';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { ReplyRepository } from './reply.repository.js';
import { SharingPolicyRepository } from './sharing-policy.repository.js';
import { EventKind, Severity, Visibility } from './timeline.enums.js';
import { TimelineEventRepository } from './timeline-event.repository.js';

let db: TestDataSource;
let sql: SqlRecorder;

/** A practitioner in one family's network: the filters as the ability writes them. */
const ability = defineAbility({
  principal: { userId: randomUUID(), agencyId: randomUUID(), roles: [Role.PRACTITIONER], sessionId: '' },
  memberOf: [randomUUID()],
  leads: [],
  grantedFor: [],
});

beforeAll(async () => {
  db = await createTestDataSource(1);
  sql = await createSqlRecorder(db.database.url);
});
afterAll(async () => {
  await sql.close();
  await db.close();
});

it('issues the statements committed in libs/timeline/sql/timeline-event.repository.sql', async () => {
  const events = new TimelineEventRepository(sql.dataSource);
  const manager = sql.dataSource.manager;
  const familyId = randomUUID();
  const at = new Date('2026-01-01T00:00:00Z');
  await sql.record('TimelineEventRepository.countInWindow', () =>
    events.countInWindow(manager, {
      familyId,
      kinds: ['INJURY'],
      severityOrder: ['INFO', 'LOW', 'MEDIUM', 'HIGH'],
      minSeverity: 'MEDIUM',
      at,
      days: 30,
    }),
  );
  await sql.record('TimelineEventRepository.latestInWindow', () =>
    events.latestInWindow(manager, { familyId, kinds: ['INJURY'], exceptId: randomUUID(), at, days: 7 }),
  );
  await sql.record('TimelineEventRepository.lastRecorded', () => events.lastRecorded(manager, [familyId]));
  const ids = [randomUUID()];
  await rolledBack(async (m) => {
    await sql.record('TimelineEventRepository.page (first page)', () =>
      events.page(m, ability, familyId, undefined, 21),
    );
    await sql.record('TimelineEventRepository.page (after a cursor)', () =>
      events.page(m, ability, familyId, [at.toISOString(), ids[0]], 21),
    );
    await sql.record('TimelineEventRepository.visible', () => events.visible(m, ability, ids));
    await sql.record('TimelineEventRepository.lockVisible', () => events.lockVisible(m, ability, ids[0]!));
    await sql.record('TimelineEventRepository.copySubjects', () => events.copySubjects(m, ids[0]!, randomUUID()));
    await sql.record('TimelineEventRepository.subjectsOfVisible', () => events.subjectsOfVisible(m, ability, ids));
  });
  const failing: [string, (m: EntityManager) => Promise<unknown>][] = [
    [
      'TimelineEventRepository.insert',
      (m) =>
        events.insert(m, {
          familyId,
          kind: EventKind.NOTE,
          severity: Severity.INFO,
          occurredAt: at,
          agencyId: randomUUID(),
          authorId: randomUUID(),
          visibility: Visibility.NETWORK,
          audienceUserIds: [],
          audienceAgencyIds: [],
          summary: 'A note',
          body: null,
          subjectIds: [randomUUID()],
        }),
    ],
    [
      'TimelineEventRepository.insertAmendment',
      (m) =>
        events.insertAmendment(m, {
          originalId: ids[0]!,
          severity: null,
          agencyId: randomUUID(),
          authorId: randomUUID(),
          summary: 'Corrected',
          replacesBody: false,
          body: null,
          reason: 'Wrong date',
        }),
    ],
    ['TimelineEventRepository.acknowledge', (m) => events.acknowledge(m, familyId, ids[0]!, randomUUID())],
  ];
  for (const [label, call] of failing) await rolledBack((m) => sql.record(label, () => call(m).catch(() => undefined)));
  await sql.record('TimelineEventRepository.acknowledgers', () => events.acknowledgers(ids));
  const { committed, current } = sql.compare(
    new URL('../sql/timeline-event.repository.sql', import.meta.url),
    'libs/timeline/src/timeline-event.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});

it('issues the statements committed in libs/timeline/sql/reply.repository.sql', async () => {
  const replies = new ReplyRepository();
  const ids = [randomUUID()];
  await rolledBack((m) =>
    sql.record('ReplyRepository.insert', () =>
      replies
        .insert(m, {
          familyId: randomUUID(),
          eventId: ids[0]!,
          authorId: randomUUID(),
          agencyId: randomUUID(),
          body: 'Seen',
        })
        .catch(() => undefined),
    ),
  );
  await rolledBack((m) => sql.record('ReplyRepository.ofVisible', () => replies.ofVisible(m, ability, ids)));
  const { committed, current } = sql.compare(
    new URL('../sql/reply.repository.sql', import.meta.url),
    'libs/timeline/src/timeline-event.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});

it('issues the statements committed in libs/timeline/sql/sharing-policy.repository.sql', async () => {
  const policies = new SharingPolicyRepository(sql.dataSource);
  const agencyId = randomUUID();
  await sql.record('SharingPolicyRepository.ofAgency', () => policies.ofAgency(agencyId));
  await rolledBack(async (m) => {
    await sql.record('SharingPolicyRepository.set', () =>
      policies.set(m, agencyId, EventKind.NOTE, Visibility.NETWORK).catch(() => undefined),
    );
  });
  const { committed, current } = sql.compare(
    new URL('../sql/sharing-policy.repository.sql', import.meta.url),
    'libs/timeline/src/timeline-event.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});

class RolledBack extends Error {}

/** Runs the calls in one transaction that is rolled back: nothing is left behind. */
async function rolledBack(calls: (manager: EntityManager) => Promise<unknown>): Promise<void> {
  await expect(
    sql.dataSource.transaction(async (manager) => {
      await calls(manager);
      throw new RolledBack();
    }),
  ).rejects.toBeInstanceOf(RolledBack);
}
