import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlCondition } from '@hearth/authz';
import { PERSON_COLUMNS, type PersonRow } from './family.repository.js';
import type { FamilyRole } from './network.enums.js';

/** A person as recorded, before they are placed in a family. */
export interface NewPerson {
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string | null;
  readonly nhsNumber: string | null;
  readonly schoolUpn: string | null;
  readonly policeReference: string | null;
  readonly address: string | null;
  readonly addressWithheld: boolean;
  readonly recordedByAgencyId: string;
}

/** A person a discovery search found, the open family they belong to, and who leads it. */
export interface PersonMatchRow {
  family_id: string;
  lead_user_id: string;
  person_id: string;
}

/**
 * The `persons` table and their place in families (`family_memberships`). A read for a caller
 * takes the ability's SQL filter for `Person` (over PERSON_FIELDS), built by the service where
 * access is decided.
 */
@Injectable()
export class PersonRepository {
  async insert(manager: EntityManager, person: NewPerson): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO persons (given_name, family_name, date_of_birth, nhs_number, school_upn, police_reference, address,
                            address_withheld, recorded_by_agency_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        person.givenName,
        person.familyName,
        person.dateOfBirth,
        person.nhsNumber,
        person.schoolUpn,
        person.policeReference,
        person.address,
        person.addressWithheld,
        person.recordedByAgencyId,
      ],
    );
    return rows[0]!.id;
  }

  async addToFamily(
    manager: EntityManager,
    membership: { familyId: string; personId: string; role: FamilyRole; addedBy: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO family_memberships (family_id, person_id, role, added_by) VALUES ($1, $2, $3, $4)`,
      [membership.familyId, membership.personId, membership.role, membership.addedBy],
    );
  }

  /** A person as a member of one family. */
  async inFamily(manager: EntityManager, familyId: string, personId: string): Promise<PersonRow | undefined> {
    const rows: PersonRow[] = await manager.query(
      `SELECT ${PERSON_COLUMNS} FROM persons p JOIN family_memberships fm ON fm.person_id = p.id WHERE p.id = $1 AND fm.family_id = $2`,
      [personId, familyId],
    );
    return rows[0];
  }

  /** The persons of these families the filter lets through (parameters from $2), in order of joining. */
  ofFamilies(manager: EntityManager, familyIds: readonly string[], filter: SqlCondition): Promise<PersonRow[]> {
    return manager.query(
      `SELECT ${PERSON_COLUMNS} FROM family_memberships fm JOIN persons p ON p.id = fm.person_id
       WHERE fm.family_id = ANY($1) AND ${filter.sql} ORDER BY fm.family_id, fm.added_at, p.id`,
      [familyIds, ...filter.params],
    );
  }

  /**
   * Persons of open families with this name (lower case, single spaces), and of this date of
   * birth if given: by full name, or by family name alone with a date of birth. At most 40, by
   * family.
   */
  search(manager: EntityManager, name: string, dateOfBirth: string | null): Promise<PersonMatchRow[]> {
    return manager.query(
      `SELECT DISTINCT fm.family_id, f.lead_user_id, p.id AS person_id
       FROM persons p JOIN family_memberships fm ON fm.person_id = p.id JOIN families f ON f.id = fm.family_id
       WHERE f.status = 'OPEN'
         AND (lower(p.given_name || ' ' || p.family_name) = $1 OR (lower(p.family_name) = $1 AND $2::date IS NOT NULL))
         AND ($2::date IS NULL OR p.date_of_birth = $2::date)
       ORDER BY fm.family_id, p.id LIMIT 40`,
      [name, dateOfBirth],
    );
  }

  /** How many of these persons are members of the family. */
  async countInFamily(manager: EntityManager, familyId: string, personIds: readonly string[]): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM family_memberships WHERE family_id = $1 AND person_id = ANY($2)`,
      [familyId, personIds],
    );
    return rows[0]?.n ?? 0;
  }
}
