import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { AuditAction, AuditOutcome } from './audit-action.js';
import { AuditChainRepository, type ChainHead } from './audit-chain.repository.js';
import { AuditRepository } from './audit.repository.js';

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

/** Runs the calls in one transaction that is rolled back: the trail stays empty. */
async function rolledBack(calls: (manager: import('typeorm').EntityManager) => Promise<void>): Promise<void> {
  await expect(
    sql.dataSource.transaction(async (manager) => {
      await calls(manager);
      throw new RolledBack();
    }),
  ).rejects.toBeInstanceOf(RolledBack);
}

it('issues the statements committed in libs/audit/sql/audit.repository.sql', async () => {
  const entries = new AuditRepository();
  await rolledBack(async (manager) => {
    await sql.record('AuditRepository.insert', () =>
      entries.insert(manager, {
        actorId: randomUUID(),
        actorAgencyId: randomUUID(),
        actorRoles: ['PRACTITIONER'],
        action: AuditAction.READ,
        outcome: AuditOutcome.ALLOWED,
        subjectType: 'Family',
        subjectId: randomUUID(),
        familyId: randomUUID(),
        personId: null,
        reason: null,
        detail: '{"ids":[]}',
        requestId: 'req-1',
        clientAddress: '127.0.0.1',
        userAgent: 'spec',
      }),
    );
    await sql.record('AuditRepository.page (no filter)', () => entries.page(manager, {}, 50, undefined));
    await sql.record('AuditRepository.page (every filter, after a cursor)', () =>
      entries.page(
        manager,
        {
          actorId: randomUUID(),
          agencyId: randomUUID(),
          familyId: randomUUID(),
          personId: randomUUID(),
          action: AuditAction.READ,
          outcome: AuditOutcome.DENIED,
          from: new Date('2026-01-01T00:00:00Z'),
          to: new Date('2026-02-01T00:00:00Z'),
        },
        50,
        { at: new Date('2026-01-15T00:00:00Z'), id: randomUUID() },
      ),
    );
    await sql.record('AuditRepository.countRecentUnscoped', () =>
      entries.countRecentUnscoped(manager, randomUUID(), 'PersonSearch', 10),
    );
  });
  const { committed, current } = sql.compare(
    new URL('../sql/audit.repository.sql', import.meta.url),
    'libs/audit/src/audit.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});

it('issues the statements committed in libs/audit/sql/audit-chain.repository.sql', async () => {
  const chain = new AuditChainRepository();
  const head: ChainHead = { position: 7, hash: 'a'.repeat(64), entryId: randomUUID(), entryTxid: '1000' };
  await rolledBack(async (manager) => {
    await sql.record('AuditChainRepository.tryLockSealer', () => chain.tryLockSealer(manager));
    await sql.record('AuditChainRepository.head', () => chain.head(manager));
    await sql.record('AuditChainRepository.settledAfter (from the start)', () =>
      chain.settledAfter(manager, undefined, 100),
    );
    await sql.record('AuditChainRepository.settledAfter (after a head)', () => chain.settledAfter(manager, head, 100));
    await sql.record('AuditChainRepository.insertSeals', () =>
      chain.insertSeals(
        manager,
        [{ entryId: randomUUID(), position: 1, entryTxid: '1000', prevHash: '0'.repeat(64), hash: 'b'.repeat(64) }],
        new Date(),
      ),
    );
    await sql.record('AuditChainRepository.insertCheckpoint', () =>
      chain.insertCheckpoint(manager, 1, 'b'.repeat(64), new Date()),
    );
    await sql.record('AuditChainRepository.sealsAfter', () => chain.sealsAfter(manager, 0, 100));
    await sql.record('AuditChainRepository.hasSealsAfter', () => chain.hasSealsAfter(manager, 1));
    await sql.record('AuditChainRepository.checkpointsAfter', () => chain.checkpointsAfter(manager, 0, 100));
    await sql.record('AuditChainRepository.countThrough', () => chain.countThrough(manager, head));
    await sql.record('AuditChainRepository.firstUnsealedThrough', () => chain.firstUnsealedThrough(manager, head));
    await sql.record('AuditChainRepository.countAfter (from the start)', () => chain.countAfter(manager, undefined));
    await sql.record('AuditChainRepository.countAfter (after a head)', () => chain.countAfter(manager, head));
  });
  const { committed, current } = sql.compare(
    new URL('../sql/audit-chain.repository.sql', import.meta.url),
    'libs/audit/src/audit.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
