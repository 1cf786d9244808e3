import type { EntityManager } from 'typeorm';
import type { FieldMap } from '@hearth/authz';
import type { FamilyRole, FamilyStatus, NetworkRole, ProtectionStatus } from './network.enums.js';
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

export interface MemberRow {
  family_id: string;
  user_id: string;
  role: NetworkRole;
  added_at: Date;
  expires_at: Date | null;
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

/** Active, unexpired members of a set of families, lead first. */
export async function activeMembers(manager: EntityManager, familyIds: readonly string[]): Promise<MemberRow[]> {
  return manager.query(
    `SELECT family_id, user_id, role, added_at, expires_at FROM active_network_members
     WHERE family_id = ANY($1)
     ORDER BY family_id, role = 'LEAD' DESC, added_at`,
    [familyIds],
  );
}

/** Whether the user is an active, unexpired member of the family's network. */
export async function isActiveMember(manager: EntityManager, familyId: string, userId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `SELECT 1 FROM active_network_members WHERE family_id = $1 AND user_id = $2`,
    [familyId, userId],
  );
  return rows.length > 0;
}

/**
 * Closes a membership that has expired (it ends when it expired), so that the member can be added
 * again: a renewal is a new membership, and the history keeps both.
 */
export async function closeExpiredMembership(manager: EntityManager, familyId: string, userId: string): Promise<void> {
  await manager.query(
    `UPDATE network_members m SET removed_at = m.expires_at
     WHERE m.family_id = $1 AND m.user_id = $2 AND m.removed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM active_network_members a WHERE a.id = m.id)`,
    [familyId, userId],
  );
}

/**
 * The user a member id given by a client stands for in this family: their user id, or the opaque
 * id a sensitive member is shown by to other agencies.
 */
export async function memberUserId(manager: EntityManager, familyId: string, id: string): Promise<string> {
  const rows: { user_id: string }[] = await manager.query(
    `SELECT user_id FROM network_members WHERE family_id = $1 AND (user_id = $2 OR public_id = $2)
     ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1`,
    [familyId, id],
  );
  return rows[0]?.user_id ?? id;
}
