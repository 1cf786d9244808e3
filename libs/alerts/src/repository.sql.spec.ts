import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { AlertStatus } from './alert.models.js';
import { AlertRepository } from './alert.repository.js';
import { ruleDefinitionSchema } from './rule-definition.js';
import { RuleRepository } from './rule.repository.js';

let db: TestDataSource;
let sql: SqlRecorder;

beforeAll(async () => {
  db = await createTestDataSource(1);
  sql = await createSqlRecorder(db.database.url);
});
afterAll(async () => {
  await sql.close();
  await db.close();
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

function compare(name: string): void {
  const { committed, current } = sql.compare(
    new URL(`../sql/${name}.sql`, import.meta.url),
    'libs/alerts/src/repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
}

it('issues the statements committed in libs/alerts/sql/alert.repository.sql', async () => {
  const alerts = new AlertRepository();
  const id = randomUUID();
  const familyId = randomUUID();
  const userId = randomUUID();
  const at = new Date('2026-01-01T00:00:00Z');
  // Statements that write need rows that exist: recorded on statements that fail on a foreign key.
  const failing: [string, (m: EntityManager) => Promise<unknown>][] = [
    [
      'AlertRepository.insertUnlessDuplicate',
      (m) =>
        alerts.insertUnlessDuplicate(m, {
          familyId,
          ruleId: randomUUID(),
          ruleVersion: 1,
          rag: 'RED',
          dedupKey: `rule:${familyId}`,
          explanation: 'Rule "r" v1 (TRIGGER)',
          matchedEventIds: [],
          raisedAt: at,
          dueBy: at,
        }),
    ],
    ['AlertRepository.addRecipients', (m) => alerts.addRecipients(m, id, familyId, [userId])],
    ['AlertRepository.addEscalationRecipients', (m) => alerts.addEscalationRecipients(m, id, familyId, [userId])],
    [
      'AlertRepository.recordAt',
      (m) => alerts.recordAt(m, { alertId: id, familyId, at, change: 'RAISED', note: '1 recipient(s)' }),
    ],
    [
      'AlertRepository.recordBy',
      (m) => alerts.recordBy(m, { alertId: id, familyId, actorId: userId, change: 'RESOLVED', note: 'Done' }),
    ],
  ];
  for (const [label, call] of failing) await rolledBack((m) => sql.record(label, () => call(m).catch(() => undefined)));
  await rolledBack(async (manager) => {
    await sql.record('AlertRepository.recipients', () => alerts.recipients(manager, id));
    await sql.record('AlertRepository.addressedPairs', () => alerts.addressedPairs(manager, [id], [userId]));
    await sql.record('AlertRepository.pageFor', () =>
      alerts.pageFor(manager, {
        userId,
        familyIds: [familyId],
        status: AlertStatus.OPEN,
        after: ['2026-01-01T00:00:00.000Z', id],
        limit: 21,
      }),
    );
    await sql.record('AlertRepository.lockAddressedTo', () => alerts.lockAddressedTo(manager, id, userId, [familyId]));
    await sql.record('AlertRepository.acknowledge', () => alerts.acknowledge(manager, id, userId));
    await sql.record('AlertRepository.resolve', () => alerts.resolve(manager, id, userId, 'Done'));
    await sql.record('AlertRepository.claimDue', () => alerts.claimDue(manager, at, 50));
    await sql.record('AlertRepository.tryLockAbsenceRules', () => alerts.tryLockAbsenceRules(manager));
  });
  compare('alert.repository');
});

it('issues the statements committed in libs/alerts/sql/rule.repository.sql', async () => {
  const rules = new RuleRepository();
  const id = randomUUID();
  const definition = ruleDefinitionSchema.parse({
    kind: 'SEQUENCE',
    first: ['MISSING_EPISODE'],
    then: ['INJURY'],
    withinDays: 7,
    rag: 'AMBER',
    recipients: ['LEAD'],
  });
  await rolledBack(async (manager) => {
    await sql.record('RuleRepository.all', () => rules.all(manager));
    await sql.record('RuleRepository.byIds', () => rules.byIds(manager, [id]));
    await sql.record('RuleRepository.byId', () => rules.byId(manager, id));
    await sql.record('RuleRepository.enabled', () => rules.enabled(manager));
    await sql.record('RuleRepository.enabledFingerprint', () => rules.enabledFingerprint(manager));
    await sql.record('RuleRepository.lockCurrentVersion', () => rules.lockCurrentVersion(manager, id));
    await sql.record('RuleRepository.update', () =>
      rules.update(manager, id, { name: 'r', version: 2, enabled: null }),
    );
    await sql.record('RuleRepository.setEnabled', () => rules.setEnabled(manager, id, false));
    await sql.record('RuleRepository.insert', () => rules.insert(manager, { name: `r ${id}`, enabled: true }));
  });
  await rolledBack((manager) =>
    sql.record('RuleRepository.insertVersion', () =>
      rules.insertVersion(manager, id, 2, definition, randomUUID()).catch(() => undefined),
    ),
  );
  compare('rule.repository');
});
