import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import { RequestContext } from '@hearth/observability';
import { AuditAction, AuditOutcome } from './audit-action.js';
import type { AuditEntryInput, AuditReadInput, RecordedAuditEntry } from './audit-entry.js';
import { AuditRepository } from './audit.repository.js';
import { storable, storableDetail, storableOrNull } from './storable.js';

/** Ids listed per READ entry; a larger read is split over several entries, never truncated. */
export const READ_IDS_PER_ENTRY = 250;

/**
 * The one way Hearth writes its audit trail. Every entry is inserted in the caller's
 * transaction: if the insert fails, the caller's act fails with it, and if the act rolls back,
 * so does its entry. The request id, client address and user agent come from the request context.
 */
@Injectable()
export class AuditLog {
  /** Per transaction: the ids already listed in a READ entry, by subject. */
  private readonly reads = new WeakMap<QueryRunner, Map<string, Set<string>>>();

  constructor(private readonly repository: AuditRepository = new AuditRepository()) {}

  async record(manager: EntityManager, entry: AuditEntryInput): Promise<RecordedAuditEntry> {
    transactionOf(manager);
    const context = RequestContext.current();
    return this.repository.insert(manager, {
      actorId: entry.actor?.userId ?? null,
      actorAgencyId: entry.actor?.agencyId ?? null,
      actorRoles: entry.actor ? entry.actor.roles.map((role) => storable(role, 64)) : [],
      action: entry.action,
      outcome: entry.outcome ?? AuditOutcome.ALLOWED,
      subjectType: storableOrNull(entry.subjectType, 64),
      subjectId: storableOrNull(entry.subjectId, 256),
      familyId: entry.familyId ?? null,
      personId: entry.personId ?? null,
      reason: storableOrNull(entry.reason, 4000),
      detail: storableDetail(entry.detail),
      requestId: storableOrNull(context?.requestId, 64),
      clientAddress: storableOrNull(context?.clientAddress, 64),
      userAgent: storableOrNull(context?.userAgent, 512),
    });
  }

  /**
   * Records that `ids` were returned to the actor. One READ entry per transaction and subject
   * (`subjectType`, `subjectId`, family, person) lists the returned ids in `detail.ids`, with
   * `detail.count`; reading the same subject again in the same transaction adds an entry only for
   * ids not yet listed. Returns the entries written (none when nothing new was returned).
   */
  async recordRead(manager: EntityManager, read: AuditReadInput): Promise<RecordedAuditEntry[]> {
    const transaction = transactionOf(manager);
    let subjects = this.reads.get(transaction);
    if (!subjects) {
      subjects = new Map();
      this.reads.set(transaction, subjects);
    }
    const key = JSON.stringify([
      read.actor.userId,
      read.subjectType,
      read.subjectId ?? null,
      read.familyId ?? null,
      read.personId ?? null,
    ]);
    const listed = subjects.get(key);
    const fresh = [...new Set(read.ids)].filter((id) => !listed?.has(id));
    if (listed && fresh.length === 0) return [];

    const recorded: RecordedAuditEntry[] = [];
    const chunks = fresh.length === 0 ? [[]] : chunk(fresh, READ_IDS_PER_ENTRY);
    for (const [index, ids] of chunks.entries()) {
      recorded.push(
        await this.record(manager, {
          action: AuditAction.READ,
          actor: read.actor,
          subjectType: read.subjectType,
          subjectId: read.subjectId ?? null,
          familyId: read.familyId ?? null,
          personId: read.personId ?? null,
          reason: read.purpose ?? null,
          detail:
            chunks.length > 1
              ? { ids, count: fresh.length, part: index + 1, parts: chunks.length }
              : { ids, count: ids.length },
        }),
      );
    }
    const seen = listed ?? new Set<string>();
    for (const id of fresh) seen.add(id);
    subjects.set(key, seen);
    return recorded;
  }

  /**
   * How many entries about no family the actor caused, of this subject type, in the last
   * `minutes` (a rate limit).
   */
  countRecentUnscoped(manager: EntityManager, actorId: string, subjectType: string, minutes: number): Promise<number> {
    return this.repository.countRecentUnscoped(manager, actorId, subjectType, minutes);
  }
}

/** The caller's transaction; recording outside one is a programming error. */
function transactionOf(manager: EntityManager): QueryRunner {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    throw new Error('audit entries are recorded inside the transaction of the act they record');
  }
  return runner;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
