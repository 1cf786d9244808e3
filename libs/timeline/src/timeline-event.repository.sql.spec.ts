import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { TimelineEventRepository } from './timeline-event.repository.js';

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

it('issues the statements committed in libs/timeline/sql/timeline-event.repository.sql', async () => {
  const events = new TimelineEventRepository();
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
  const { committed, current } = sql.compare(
    new URL('../sql/timeline-event.repository.sql', import.meta.url),
    'libs/timeline/src/timeline-event.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
