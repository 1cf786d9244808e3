import { randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { AuditAction, AuditOutcome } from './audit-action.js';
import { AuditChainRepository, type ChainHead } from './audit-chain.repository.js';
import { AuditRepository } from './audit.repository.js';

// Every call runs in a transaction that is rolled back: the trail stays empty.
describeRepositorySql(import.meta.url, {
  'audit.repository': async ({ record, rolledBack }) => {
    const entries = new AuditRepository();
    await rolledBack(async (manager) => {
      await record('AuditRepository.insert', () =>
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
      await record('AuditRepository.page (no filter)', () => entries.page(manager, {}, 50, undefined));
      await record('AuditRepository.page (every filter, after a cursor)', () =>
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
    });
  },

  'audit-chain.repository': async ({ record, rolledBack }) => {
    const chain = new AuditChainRepository();
    const head: ChainHead = { position: 7, hash: 'a'.repeat(64), entryId: randomUUID(), entryTxid: '1000' };
    await rolledBack(async (manager) => {
      await record('AuditChainRepository.tryLockSealer', () => chain.tryLockSealer(manager));
      await record('AuditChainRepository.head', () => chain.head(manager));
      await record('AuditChainRepository.settledAfter (from the start)', () =>
        chain.settledAfter(manager, undefined, 100),
      );
      await record('AuditChainRepository.settledAfter (after a head)', () => chain.settledAfter(manager, head, 100));
      await record('AuditChainRepository.insertSeals', () =>
        chain.insertSeals(
          manager,
          [{ entryId: randomUUID(), position: 1, entryTxid: '1000', prevHash: '0'.repeat(64), hash: 'b'.repeat(64) }],
          new Date(),
        ),
      );
      await record('AuditChainRepository.insertCheckpoint', () =>
        chain.insertCheckpoint(manager, 1, 'b'.repeat(64), new Date()),
      );
      await record('AuditChainRepository.sealsAfter', () => chain.sealsAfter(manager, 0, 100));
      await record('AuditChainRepository.hasSealsAfter', () => chain.hasSealsAfter(manager, 1));
      await record('AuditChainRepository.checkpointsAfter', () => chain.checkpointsAfter(manager, 0, 100));
      await record('AuditChainRepository.countThrough', () => chain.countThrough(manager, head));
      await record('AuditChainRepository.firstUnsealedThrough', () => chain.firstUnsealedThrough(manager, head));
      await record('AuditChainRepository.countAfter (from the start)', () => chain.countAfter(manager, undefined));
      await record('AuditChainRepository.countAfter (after a head)', () => chain.countAfter(manager, head));
    });
  },
});
