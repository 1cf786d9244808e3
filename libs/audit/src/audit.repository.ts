import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedQuery } from '@hearth/database';
import type { AuditAction, AuditOutcome } from './audit-action.js';
import type { RecordedAuditEntry } from './audit-entry.js';

/** An entry ready for insertion: every value already checked and made storable. */
export interface AuditEntryRecord {
  readonly actorId: string | null;
  readonly actorAgencyId: string | null;
  readonly actorRoles: readonly string[];
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly subjectType: string | null;
  readonly subjectId: string | null;
  readonly familyId: string | null;
  readonly personId: string | null;
  readonly reason: string | null;
  /** JSON text. */
  readonly detail: string | null;
  readonly requestId: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
}

/** What auditors may filter on (checked by parseAuditFilter). `from` inclusive, `to` exclusive. */
export interface AuditFilter {
  readonly actorId?: string;
  readonly agencyId?: string;
  readonly familyId?: string;
  readonly personId?: string;
  readonly action?: AuditAction;
  readonly outcome?: AuditOutcome;
  readonly from?: Date;
  readonly to?: Date;
}

/** The position of a row in the newest-first order: the keyset cursor. */
export interface AuditKey {
  readonly at: Date;
  readonly id: string;
}

/** An entry as auditors read it (GraphQL and CSV share this row). */
export interface AuditEntryRow {
  readonly id: string;
  readonly at: Date;
  readonly actor_id: string | null;
  readonly actor_agency_id: string | null;
  readonly actor_roles: string[];
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly subject_type: string | null;
  readonly subject_id: string | null;
  readonly family_id: string | null;
  readonly person_id: string | null;
  readonly reason: string | null;
  /** JSON text. */
  readonly detail: string | null;
  readonly request_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly seal_position: number | null;
  readonly seal_hash: string | null;
}

// Filter fields and the columns they compare; never built from input.
const EQUALITY: ReadonlyArray<readonly [keyof AuditFilter, string, string]> = [
  ['actorId', 'e.actor_id', 'uuid'],
  ['agencyId', 'e.actor_agency_id', 'uuid'],
  ['familyId', 'e.family_id', 'uuid'],
  ['personId', 'e.person_id', 'uuid'],
  ['action', 'e.action', 'audit_action'],
  ['outcome', 'e.outcome', 'audit_outcome'],
];

/** The SQL of the audit trail's entries. Only INSERT and SELECT: the table is append-only. */
@Injectable()
export class AuditRepository {
  async insert(manager: EntityManager, entry: AuditEntryRecord): Promise<RecordedAuditEntry> {
    // Prepared: every operation writes one, so it is parsed once per connection.
    const rows = await preparedQuery<RecordedAuditEntry>(
      manager,
      `INSERT INTO audit_entries (actor_id, actor_agency_id, actor_roles, action, outcome, subject_type, subject_id,
                                  family_id, person_id, reason, detail, request_id, client_address, user_agent)
       VALUES ($1, $2, $3::text[], $4::audit_action, $5::audit_outcome, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)
       RETURNING id, at`,
      [
        entry.actorId,
        entry.actorAgencyId,
        entry.actorRoles,
        entry.action,
        entry.outcome,
        entry.subjectType,
        entry.subjectId,
        entry.familyId,
        entry.personId,
        entry.reason,
        entry.detail,
        entry.requestId,
        entry.clientAddress,
        entry.userAgent,
      ],
    );
    const recorded = rows[0];
    if (!recorded) throw new Error('audit entry was not inserted');
    return recorded;
  }

  /** Entries matching the filter, newest first, strictly after `after`; at most `limit`. */
  async page(
    manager: EntityManager,
    filter: AuditFilter,
    limit: number,
    after: AuditKey | undefined,
  ): Promise<AuditEntryRow[]> {
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    for (const [field, column, type] of EQUALITY) {
      const value = filter[field];
      if (value !== undefined) where.push(`${column} = ${bind(value)}::${type}`);
    }
    if (filter.from) where.push(`e.at >= ${bind(filter.from)}::timestamptz`);
    if (filter.to) where.push(`e.at < ${bind(filter.to)}::timestamptz`);
    if (after) where.push(`(e.at, e.id) < (${bind(after.at)}::timestamptz, ${bind(after.id)}::uuid)`);
    return await manager.query<AuditEntryRow[]>(
      `SELECT e.id, e.at, e.actor_id, e.actor_agency_id, e.actor_roles, e.action, e.outcome, e.subject_type,
              e.subject_id, e.family_id, e.person_id, e.reason, e.detail::text AS detail, e.request_id,
              e.client_address, e.user_agent, s.position AS seal_position, s.hash AS seal_hash
         FROM audit_entries e
         LEFT JOIN audit_seals s ON s.entry_id = e.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.at DESC, e.id DESC
        LIMIT ${bind(limit)}`,
      params,
    );
  }
}
