import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Role, type Principal } from '@hearth/authz';
import { badInput, forbidden } from '@hearth/errors';
import { decodeCursor, pageSize, toConnection, type Connection, type PageArgs } from '@hearth/pagination';
import { AuditAction } from './audit-action.js';
import { describeFilter, parseAuditFilter } from './audit-filter.js';
import { AuditLog } from './audit-log.service.js';
import { toAuditEntryModel, type AuditEntryModel } from './audit-entry.model.js';
import { AuditRepository, type AuditEntryRow, type AuditFilter, type AuditKey } from './audit.repository.js';
import { AuditVerifier, type AuditIntegrityReport } from './audit-verifier.service.js';
import { csvRow } from './csv.js';

const EXPORT_BATCH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const CSV_COLUMNS = [
  'id',
  'at',
  'actor_id',
  'actor_agency_id',
  'actor_roles',
  'action',
  'outcome',
  'subject_type',
  'subject_id',
  'family_id',
  'person_id',
  'reason',
  'detail',
  'request_id',
  'client_address',
  'user_agent',
  'seal_position',
  'seal_hash',
] as const;

/**
 * What auditors read: entries by filter, the chain's integrity, CSV exports. Each method checks
 * the AUDITOR role itself (the guard checked it too) and records the auditor's own act in the
 * same transaction as the read.
 */
@Injectable()
export class AuditTrailService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly auditLog: AuditLog,
    private readonly verifier: AuditVerifier,
    private readonly repository: AuditRepository,
  ) {}

  /** Entries matching the filter, newest first, in keyset pages. */
  async list(principal: Principal, filterInput: unknown, page: PageArgs): Promise<Connection<AuditEntryModel>> {
    assertAuditor(principal);
    const filter = parseAuditFilter(filterInput);
    const size = pageSize(page.first);
    const after = decodeKey(page.after);
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.repository.page(manager, filter, size + 1, after);
      const returned = rows.slice(0, size).map((row) => row.id);
      await this.auditLog.record(manager, {
        action: AuditAction.READ,
        actor: principal,
        subjectType: 'AuditEntry',
        detail: { filter: describeFilter(filter), ids: returned, count: returned.length },
      });
      return toConnection(rows, size, keyOf, toAuditEntryModel);
    });
  }

  /** Recomputes the chain; the check is recorded with its verdict. */
  async integrity(principal: Principal): Promise<AuditIntegrityReport> {
    assertAuditor(principal);
    const report = await this.verifier.verify();
    await this.dataSource.transaction((manager) =>
      this.auditLog.record(manager, {
        action: AuditAction.READ,
        actor: principal,
        subjectType: 'AuditIntegrity',
        detail: { verified: report.verified, entries: report.entries, headHash: report.headHash },
      }),
    );
    return report;
  }

  /**
   * The filter's entries as CSV, newest first. The filter is checked, the first batch read and the
   * export recorded (in one transaction) before anything is sent, so a refusal is still a clean
   * error; later batches follow by keyset, each a short query.
   */
  async exportCsv(principal: Principal, query: unknown): Promise<AsyncIterable<string>> {
    assertAuditor(principal);
    const filter = parseAuditFilter(query);
    const first = await this.dataSource.transaction(async (manager) => {
      const rows = await this.repository.page(manager, filter, EXPORT_BATCH, undefined);
      await this.auditLog.record(manager, {
        action: AuditAction.EXPORT,
        actor: principal,
        subjectType: 'AuditEntry',
        detail: { filter: describeFilter(filter), format: 'csv' },
      });
      return rows;
    });
    return this.csv(filter, first);
  }

  private async *csv(filter: AuditFilter, first: AuditEntryRow[]): AsyncGenerator<string> {
    yield csvRow(CSV_COLUMNS);
    let rows = first;
    for (;;) {
      if (rows.length > 0) yield rows.map(toCsv).join('');
      const last = rows.at(-1);
      if (!last || rows.length < EXPORT_BATCH) return;
      rows = await this.repository.page(this.dataSource.manager, filter, EXPORT_BATCH, keyOfRow(last));
    }
  }
}

function assertAuditor(principal: Principal): void {
  if (!principal.roles.includes(Role.AUDITOR)) throw forbidden();
}

function keyOf(row: AuditEntryRow): [string, string] {
  return [row.at.toISOString(), row.id];
}

function keyOfRow(row: AuditEntryRow): AuditKey {
  return { at: row.at, id: row.id };
}

function decodeKey(cursor: string | null | undefined): AuditKey | undefined {
  const key = decodeCursor(cursor, ['timestamp', 'uuid']);
  if (!key) return undefined;
  const [at, id] = key as [string, string];
  const time = new Date(at);
  if (Number.isNaN(time.getTime()) || time.toISOString() !== at || !UUID.test(id)) {
    throw badInput('after', 'is not a cursor from this list');
  }
  return { at: time, id };
}

function toCsv(row: AuditEntryRow): string {
  return csvRow([
    row.id,
    row.at.toISOString(),
    row.actor_id,
    row.actor_agency_id,
    row.actor_roles.join(' '),
    row.action,
    row.outcome,
    row.subject_type,
    row.subject_id,
    row.family_id,
    row.person_id,
    row.reason,
    row.detail,
    row.request_id,
    row.client_address,
    row.user_agent,
    row.seal_position,
    row.seal_hash,
  ]);
}
