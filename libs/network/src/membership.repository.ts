import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';
import type { AgencyKind } from '@hearth/identity';
import type { NetworkRole } from './network.enums.js';

/** A practitioner's membership of a family's network. */
export interface MemberRow {
  family_id: string;
  user_id: string;
  role: NetworkRole;
  added_at: Date;
  expires_at: Date | null;
}

/** A user as shown on a contact card in one family, with how they hold their membership there. */
export interface CardRow {
  family_id: string;
  id: string;
  display_name: string;
  job_title: string | null;
  phone: string | null;
  email: string;
  agency_id: string;
  agency_name: string;
  agency_kind: AgencyKind;
  sensitive: boolean | null;
  contact_route: string | null;
  public_id: string | null;
}

/**
 * The contact-card row (a `CardRow` but its family) of the user `userColumn` as a member of the
 * family `familyColumn`, as a lateral join named `alias`: the user, their agency and their latest
 * membership of that family, if any (all null when there is no such user). Another lib's
 * statement joins it to show cards with its own rows in one statement; `contactCard` then masks.
 */
export function contactCardJoin(alias: string, familyColumn: string, userColumn: string): string {
  return `LEFT JOIN LATERAL (
         SELECT u.id, u.display_name, u.job_title, u.phone, u.email, a.id AS agency_id, a.name AS agency_name,
                a.kind AS agency_kind, m.sensitive, m.contact_route, m.public_id
         FROM users u
         JOIN agencies a ON a.id = u.agency_id
         LEFT JOIN LATERAL (
           SELECT sensitive, contact_route, public_id FROM network_members
           WHERE family_id = ${familyColumn} AND user_id = u.id ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1
         ) m ON true
         WHERE u.id = ${userColumn}
       ) ${alias} ON true`;
}

const MEMBER_COLUMNS = 'family_id, user_id, role, added_at, expires_at';

/**
 * The `network_members` table and the `active_network_members` view: who practises in a
 * family's network, and since when.
 */
@Injectable()
export class MembershipRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Of these users, those who have marked their role sensitive in any network, now or before. */
  async everSensitive(userIds: readonly string[]): Promise<string[]> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT user_id FROM network_members WHERE sensitive AND user_id = ANY($1::uuid[])`,
      [userIds],
    );
    return rows.map((r) => r.user_id);
  }

  /** Active, unexpired members of a set of families, lead first. */
  active(manager: EntityManager, familyIds: readonly string[]): Promise<MemberRow[]> {
    return manager.query(
      `SELECT ${MEMBER_COLUMNS} FROM active_network_members
       WHERE family_id = ANY($1)
       ORDER BY family_id, role = 'LEAD' DESC, added_at`,
      [familyIds],
    );
  }

  /** Whether the user is an active, unexpired member of the family's network. */
  async isActive(manager: EntityManager, familyId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM active_network_members WHERE family_id = $1 AND user_id = $2`,
      [familyId, userId],
    );
    return rows.length > 0;
  }

  /**
   * Closes a membership that has expired (it ends when it expired), so that the member can be
   * added again: a renewal is a new membership, and the history keeps both.
   */
  async closeExpired(manager: EntityManager, familyId: string, userId: string): Promise<void> {
    await manager.query(
      `UPDATE network_members m SET removed_at = m.expires_at
       WHERE m.family_id = $1 AND m.user_id = $2 AND m.removed_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM active_network_members a WHERE a.id = m.id)`,
      [familyId, userId],
    );
  }

  /**
   * The user a member id given by a client stands for in this family: their user id, or the
   * opaque id a sensitive member is shown by to other agencies.
   */
  async userIdFor(manager: EntityManager, familyId: string, id: string): Promise<string> {
    const rows: { user_id: string }[] = await manager.query(
      `SELECT user_id FROM network_members WHERE family_id = $1 AND (user_id = $2 OR public_id = $2)
       ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1`,
      [familyId, id],
    );
    return rows[0]?.user_id ?? id;
  }

  /** The lead's membership of a family just opened. */
  async insertLead(manager: EntityManager, familyId: string, userId: string): Promise<void> {
    await manager.query(
      `INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'LEAD', $2)`,
      [familyId, userId],
    );
  }

  async insertMember(
    manager: EntityManager,
    member: { familyId: string; userId: string; addedBy: string; expiresAt: Date | null },
  ): Promise<MemberRow> {
    const rows: MemberRow[] = await manager.query(
      `INSERT INTO network_members (family_id, user_id, role, added_by, expires_at)
       VALUES ($1, $2, 'MEMBER', $3, $4) RETURNING ${MEMBER_COLUMNS}`,
      [member.familyId, member.userId, member.addedBy, member.expiresAt],
    );
    return rows[0]!;
  }

  /** Adds a member unless they already hold a membership; whether one was added. */
  async insertMemberIfAbsent(
    manager: EntityManager,
    member: { familyId: string; userId: string; addedBy: string },
  ): Promise<boolean> {
    const added: unknown[] = await manager.query(
      `INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'MEMBER', $3)
       ON CONFLICT (family_id, user_id) WHERE removed_at IS NULL DO NOTHING RETURNING id`,
      [member.familyId, member.userId, member.addedBy],
    );
    return added.length > 0;
  }

  /** Sets how the user's current membership shows to other agencies; undefined if they hold none. */
  async setSensitivity(
    manager: EntityManager,
    familyId: string,
    userId: string,
    sensitive: boolean,
    contactRoute: string | null,
  ): Promise<MemberRow | undefined> {
    const rows: MemberRow[] = await updateReturning(
      manager,
      `UPDATE network_members SET sensitive = $3, contact_route = $4
       WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING ${MEMBER_COLUMNS}`,
      [familyId, userId, sensitive, contactRoute],
    );
    return rows[0];
  }

  /** Ends the user's current membership; whether there was one. */
  async remove(manager: EntityManager, familyId: string, userId: string, removedBy: string): Promise<boolean> {
    const removed: unknown[] = await updateReturning(
      manager,
      `UPDATE network_members SET removed_at = now(), removed_by = $3
       WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING id`,
      [familyId, userId, removedBy],
    );
    return removed.length > 0;
  }

  /** The old lead becomes a member, the new one the lead (with no expiry). */
  async handOverLead(manager: EntityManager, familyId: string, fromUserId: string, toUserId: string): Promise<void> {
    await manager.query(
      `UPDATE network_members SET role = 'MEMBER' WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL`,
      [familyId, fromUserId],
    );
    await manager.query(
      `UPDATE network_members SET role = 'LEAD', expires_at = NULL WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL`,
      [familyId, toUserId],
    );
  }

  /**
   * The contact-card rows of (family, user) pairs: each user with their agency and their latest
   * membership of that family, if any. One statement for a whole batch of cards.
   */
  cards(pairs: readonly (readonly [familyId: string, userId: string])[]): Promise<CardRow[]> {
    return this.dataSource.query(
      `SELECT k.family_id, c.* FROM unnest($1::uuid[], $2::uuid[]) AS k(family_id, user_id)
       ${contactCardJoin('c', 'k.family_id', 'k.user_id')}`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
  }
}
