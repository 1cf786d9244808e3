import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FieldMap, SqlCondition } from '@hearth/authz';
import { preparedQuery, updateReturning } from '@hearth/database';
import type { FamilyRole, FamilyStatus, ProtectionStatus } from './network.enums.js';
import type { FamilyModel, PersonModel } from './network.models.js';

/** The columns the ability's conditions refer to, per subject. */
export const FAMILY_FIELDS: FieldMap = { id: { sql: 'f.id', type: 'uuid' } };
export const PERSON_FIELDS: FieldMap = { familyId: { sql: 'fm.family_id', type: 'uuid' } };

export interface FamilyRow {
  id: string;
  reference: string;
  status: FamilyStatus;
  protection_status: ProtectionStatus;
  lead_user_id: string;
  created_at: Date;
}

export const FAMILY_COLUMNS = 'f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at';

export function toFamilyModel(row: FamilyRow): FamilyModel {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    protectionStatus: row.protection_status,
    leadUserId: row.lead_user_id,
    createdAt: row.created_at,
  };
}

export interface PersonRow {
  id: string;
  family_id: string;
  role: FamilyRole;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  nhs_number: string | null;
  school_upn: string | null;
  police_reference: string | null;
  address: string | null;
  address_withheld: boolean;
  recorded_by_agency_id: string;
}

/** Persons with the field-level rule for withheld addresses applied for one viewer's agency. */
export function toPersonModel(row: PersonRow, viewerAgencyId: string): PersonModel {
  const hidden = row.address_withheld && row.recorded_by_agency_id !== viewerAgencyId;
  return {
    id: row.id,
    familyId: row.family_id,
    role: row.role,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
    nhsNumber: row.nhs_number,
    schoolUpn: row.school_upn,
    policeReference: row.police_reference,
    address: hidden ? null : row.address,
    addressWithheld: row.address_withheld && hidden,
  };
}

export const PERSON_COLUMNS = `p.id, fm.family_id, fm.role, p.given_name, p.family_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  p.nhs_number, p.school_upn, p.police_reference, p.address, p.address_withheld, p.recorded_by_agency_id`;

/**
 * The `families` table. A read for a caller takes the ability's SQL filter for `Family` (over
 * FAMILY_FIELDS), built by the service where access is decided; its parameters start where the
 * method says.
 */
@Injectable()
export class FamilyRepository {
  /** The family if the filter lets it through (parameters from $2), locked if asked. */
  async visible(
    manager: EntityManager,
    familyId: string,
    filter: SqlCondition,
    lock = false,
  ): Promise<FamilyRow | undefined> {
    const rows = await preparedQuery<FamilyRow>(
      manager,
      `SELECT ${FAMILY_COLUMNS} FROM families f WHERE f.id = $1 AND ${filter.sql}${lock ? ' FOR UPDATE' : ''}`,
      [familyId, ...filter.params],
    );
    return rows[0];
  }

  /** Of these families, those the filter lets through (parameters from $2). */
  visibleAmong(manager: EntityManager, familyIds: readonly string[], filter: SqlCondition): Promise<FamilyRow[]> {
    return manager.query(`SELECT ${FAMILY_COLUMNS} FROM families f WHERE f.id = ANY($1) AND ${filter.sql}`, [
      familyIds,
      ...filter.params,
    ]);
  }

  /**
   * Up to `limit` families the filter lets through (parameters from $4), newest first, strictly
   * after the (created_at, id) key.
   */
  page(
    manager: EntityManager,
    filter: SqlCondition,
    after: readonly unknown[] | undefined,
    limit: number,
  ): Promise<FamilyRow[]> {
    return manager.query(
      `SELECT ${FAMILY_COLUMNS} FROM families f
       WHERE ${filter.sql} AND ($1::timestamptz IS NULL OR (f.created_at, f.id) < ($1::timestamptz, $2::uuid))
       ORDER BY f.created_at DESC, f.id DESC LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, limit, ...filter.params],
    );
  }

  /** Whether a family has this reference, ignoring case. */
  async referenceTaken(manager: EntityManager, reference: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM families WHERE lower(reference) = lower($1)`, [
      reference,
    ]);
    return rows.length > 0;
  }

  /** Whether the family exists and is open. */
  async isOpen(manager: EntityManager, familyId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM families WHERE id = $1 AND status = 'OPEN'`, [familyId]);
    return rows.length > 0;
  }

  async insert(
    manager: EntityManager,
    family: { reference: string; protectionStatus: ProtectionStatus; leadUserId: string },
  ): Promise<FamilyRow> {
    const rows: FamilyRow[] = await manager.query(
      `INSERT INTO families AS f (reference, protection_status, lead_user_id, created_by) VALUES ($1, $2, $3, $3)
       RETURNING ${FAMILY_COLUMNS}`,
      [family.reference, family.protectionStatus, family.leadUserId],
    );
    return rows[0]!;
  }

  async setProtectionStatus(manager: EntityManager, familyId: string, status: ProtectionStatus): Promise<FamilyRow> {
    const rows: FamilyRow[] = await updateReturning(
      manager,
      `UPDATE families f SET protection_status = $2 WHERE id = $1 RETURNING ${FAMILY_COLUMNS}`,
      [familyId, status],
    );
    return rows[0]!;
  }

  async setLead(manager: EntityManager, familyId: string, userId: string): Promise<FamilyRow> {
    const rows: FamilyRow[] = await updateReturning(
      manager,
      `UPDATE families f SET lead_user_id = $2 WHERE id = $1 RETURNING ${FAMILY_COLUMNS}`,
      [familyId, userId],
    );
    return rows[0]!;
  }

  /** The family's protection status; undefined if there is no such family. */
  async protectionStatus(manager: EntityManager, familyId: string): Promise<ProtectionStatus | undefined> {
    const rows: { protection_status: ProtectionStatus }[] = await manager.query(
      `SELECT protection_status FROM families WHERE id = $1`,
      [familyId],
    );
    return rows[0]?.protection_status;
  }

  /**
   * In one statement, the family's protection status and which of the given persons are its
   * children (younger than `childUnderMonths` at `at`, when given).
   */
  async protectionAndChildren(
    manager: EntityManager,
    query: { familyId: string; personIds: readonly string[]; childUnderMonths: number | null; at: Date },
  ): Promise<{ protection_status: ProtectionStatus | null; children: string[] | null }> {
    const rows: { protection_status: ProtectionStatus | null; children: string[] | null }[] = await manager.query(
      `SELECT (SELECT protection_status FROM families WHERE id = $1) AS protection_status,
              (SELECT array_agg(p.id) FROM family_memberships fm JOIN persons p ON p.id = fm.person_id
               WHERE fm.family_id = $1 AND fm.person_id = ANY($2::uuid[]) AND fm.role = 'CHILD'
                 AND ($3::int IS NULL OR p.date_of_birth > ($4::timestamptz - make_interval(months => $3))::date)) AS children`,
      [query.familyId, query.personIds, query.childUnderMonths, query.at],
    );
    return rows[0] ?? { protection_status: null, children: null };
  }

  /** Open families on any of these protection statuses. */
  openWithProtectionStatus(
    manager: EntityManager,
    statuses: readonly string[],
  ): Promise<{ id: string; created_at: Date }[]> {
    return manager.query(
      `SELECT f.id, f.created_at FROM families f WHERE f.status = 'OPEN' AND f.protection_status = ANY($1)`,
      [statuses],
    );
  }
}
