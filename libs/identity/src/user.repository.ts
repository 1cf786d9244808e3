import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Role, type Principal } from '@hearth/authz';
import type { AgencyKind, UserStatus } from './identity.enums.js';
import type { UserModel } from './identity.models.js';

/** A user row with its password hash (null for an account without a password). */
export type CredentialedUserRow = UserRow & { password_hash: string | null };

/** A user row with its agency, as every read of a user needs both. */
export interface UserRow {
  id: string;
  agency_id: string;
  email: string;
  display_name: string;
  job_title: string | null;
  phone: string | null;
  roles: Role[];
  status: UserStatus;
  manager_id: string | null;
  contact_route: string | null;
  must_change_password: boolean;
  /** Whether a second factor is set up (confirmed). */
  mfa_enabled: boolean;
  agency_name: string;
  agency_kind: AgencyKind;
}

/** What outbound delivery needs of a user. */
export interface UserContact {
  id: string;
  agency_id: string;
  email: string;
  status: UserStatus;
}

const SELECT_USER = `
  SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         u.contact_route, u.must_change_password, a.name AS agency_name, a.kind AS agency_kind,
         EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS mfa_enabled
  FROM users u JOIN agencies a ON a.id = u.agency_id`;

/**
 * Who may know whether an account has a second factor: its owner, and an agency admin of its
 * agency (who removes a lost one). Partnership admins and auditors of other agencies see null.
 */
export function mayKnowMfa(viewer: Principal | 'self', row: Pick<UserRow, 'id' | 'agency_id'>): boolean {
  if (viewer === 'self' || viewer.userId === row.id) return true;
  return viewer.roles.includes(Role.AGENCY_ADMIN) && viewer.agencyId === row.agency_id;
}

/** The GraphQL user as `viewer` may see it ('self': the account's own sign-in). */
export function toUserModel(row: UserRow, viewer: Principal | 'self'): UserModel {
  return {
    mfaEnabled: mayKnowMfa(viewer, row) ? row.mfa_enabled : null,
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    jobTitle: row.job_title,
    phone: row.phone,
    roles: row.roles,
    status: row.status,
    managerId: row.manager_id,
    contactRoute: row.contact_route,
    agency: { id: row.agency_id, name: row.agency_name, kind: row.agency_kind },
  };
}

@Injectable()
export class UserRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(
    id: string,
    manager: EntityManager = this.dataSource.manager,
    lock = false,
  ): Promise<UserRow | undefined> {
    const rows: UserRow[] = await manager.query(`${SELECT_USER} WHERE u.id = $1${lock ? ' FOR UPDATE OF u' : ''}`, [
      id,
    ]);
    return rows[0];
  }

  async findByEmail(email: string, manager: EntityManager): Promise<CredentialedUserRow | undefined> {
    const rows: CredentialedUserRow[] = await manager.query(
      `SELECT s.*, c.password_hash FROM (${SELECT_USER} WHERE u.email = $1) s LEFT JOIN credentials c ON c.user_id = s.id`,
      [email],
    );
    return rows[0];
  }

  /** A user with their password hash, locked when asked (a password about to change). */
  async findWithCredential(id: string, manager: EntityManager, lock = false): Promise<CredentialedUserRow | undefined> {
    const rows: CredentialedUserRow[] = await manager.query(
      `SELECT s.*, c.password_hash FROM (${SELECT_USER} WHERE u.id = $1${lock ? ' FOR UPDATE OF u' : ''}) s
       LEFT JOIN credentials c ON c.user_id = s.id`,
      [id],
    );
    return rows[0];
  }

  async emailTaken(manager: EntityManager, email: string): Promise<boolean> {
    const taken: unknown[] = await manager.query(`SELECT 1 FROM users WHERE email = $1`, [email]);
    return taken.length > 0;
  }

  /** Inserts an account; returns its id. */
  async insert(
    manager: EntityManager,
    user: {
      agencyId: string;
      email: string;
      displayName: string;
      jobTitle: string | null;
      phone: string | null;
      roles: Role[];
      managerId: string | null;
      mustChangePassword: boolean;
    },
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO users (agency_id, email, display_name, job_title, phone, roles, manager_id, must_change_password)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        user.agencyId,
        user.email,
        user.displayName,
        user.jobTitle,
        user.phone,
        user.roles,
        user.managerId,
        user.mustChangePassword,
      ],
    );
    return rows[0]!.id;
  }

  /** The first credential of a new account. */
  async insertCredential(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.query(`INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)`, [userId, passwordHash]);
  }

  async setRoles(manager: EntityManager, userId: string, roles: readonly Role[]): Promise<void> {
    await manager.query(`UPDATE users SET roles = $2, updated_at = now() WHERE id = $1`, [userId, roles]);
  }

  async disable(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`UPDATE users SET status = 'DISABLED', updated_at = now() WHERE id = $1`, [userId]);
  }

  async enable(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`UPDATE users SET status = 'ACTIVE', updated_at = now() WHERE id = $1`, [userId]);
  }

  /** The owner must choose a new password at the next sign-in. */
  async requirePasswordChange(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`UPDATE users SET must_change_password = true, updated_at = now() WHERE id = $1`, [userId]);
  }

  /** Locks the active holders of a role, in an agency or everywhere (until the transaction ends). */
  async lockActiveHolders(manager: EntityManager, role: Role, agencyId?: string): Promise<void> {
    await manager.query(
      `SELECT id FROM users WHERE roles @> ARRAY[$1]::text[] AND status = 'ACTIVE' AND ($2::uuid IS NULL OR agency_id = $2) FOR UPDATE`,
      [role, agencyId ?? null],
    );
  }

  /** Whether the user is an active manager of the agency. */
  async isActiveManagerIn(manager: EntityManager, userId: string, agencyId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM users WHERE id = $1 AND agency_id = $2 AND roles @> ARRAY['MANAGER']::text[] AND status = 'ACTIVE'`,
      [userId, agencyId],
    );
    return rows.length > 0;
  }

  /** Sets a password its owner chose; the forced change, if any, is then done. */
  async setPassword(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.query(
      `INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()`,
      [userId, passwordHash],
    );
    await manager.query(`UPDATE users SET must_change_password = false, updated_at = now() WHERE id = $1`, [userId]);
  }

  /** Changes the given fields of a contact card; undefined leaves a field as it is. */
  async updateContactCard(
    manager: EntityManager,
    userId: string,
    card: {
      jobTitle?: string | null | undefined;
      phone?: string | null | undefined;
      contactRoute?: string | null | undefined;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET
         job_title = CASE WHEN $2 THEN $3 ELSE job_title END,
         phone = CASE WHEN $4 THEN $5 ELSE phone END,
         contact_route = CASE WHEN $6 THEN $7 ELSE contact_route END,
         updated_at = now()
       WHERE id = $1`,
      [
        userId,
        card.jobTitle !== undefined,
        card.jobTitle ?? null,
        card.phone !== undefined,
        card.phone ?? null,
        card.contactRoute !== undefined,
        card.contactRoute ?? null,
      ],
    );
  }

  /** The user's email address. */
  async findEmail(id: string): Promise<string | undefined> {
    const rows: { email: string }[] = await this.dataSource.query(`SELECT email FROM users WHERE id = $1`, [id]);
    return rows[0]?.email;
  }

  /** A page of users, by email, optionally of one agency. */
  async page(agencyId: string | undefined, afterEmail: string | undefined, limit: number): Promise<UserRow[]> {
    return this.dataSource.query(
      `${SELECT_USER}
       WHERE ($1::uuid IS NULL OR u.agency_id = $1) AND ($2::text IS NULL OR u.email > $2)
       ORDER BY u.email LIMIT $3`,
      [agencyId ?? null, afterEmail ?? null, limit],
    );
  }

  /** Active holders of a role, in an agency or everywhere, other than one user. */
  async countOtherActiveHolders(
    manager: EntityManager,
    role: Role,
    exceptUserId: string,
    agencyId?: string,
  ): Promise<number> {
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM users
       WHERE roles @> ARRAY[$1]::text[] AND status = 'ACTIVE' AND id <> $2 AND ($3::uuid IS NULL OR agency_id = $3)`,
      [role, exceptUserId, agencyId ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  /** Of the given users, those who are active and hold a role now. */
  async activeHolders(manager: EntityManager, role: Role, userIds: readonly string[]): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM users WHERE id = ANY($1::uuid[]) AND status = 'ACTIVE' AND roles @> ARRAY[$2]::text[]`,
      [userIds, role],
    );
    return rows.map((r) => r.id);
  }

  /** Every active holder of a role. */
  async allActiveHolders(manager: EntityManager, role: Role): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM users WHERE status = 'ACTIVE' AND roles @> ARRAY[$1]::text[]`,
      [role],
    );
    return rows.map((r) => r.id);
  }

  /** How to reach each of the given users: their address, agency and status (outbound delivery). */
  async contacts(manager: EntityManager, userIds: readonly string[]): Promise<UserContact[]> {
    if (userIds.length === 0) return [];
    return manager.query(`SELECT id, agency_id, email, status FROM users WHERE id = ANY($1::uuid[])`, [userIds]);
  }

  /** Whether the user is active and holds a case role (practitioner or manager). */
  async isActiveCaseWorker(manager: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM users WHERE id = $1 AND status = 'ACTIVE' AND roles && ARRAY['PRACTITIONER','MANAGER']::text[]`,
      [userId],
    );
    return rows.length > 0;
  }

  /** The active line managers of these users, each once. */
  async activeManagersOf(manager: EntityManager, userIds: readonly string[]): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT DISTINCT m.id FROM users u JOIN users m ON m.id = u.manager_id
       WHERE u.id = ANY($1::uuid[]) AND m.status = 'ACTIVE'`,
      [userIds],
    );
    return rows.map((r) => r.id);
  }

  /** How many of these ids are users. */
  async countExisting(manager: EntityManager, userIds: readonly string[]): Promise<number> {
    const rows: { n: number }[] = await manager.query(`SELECT count(*)::int AS n FROM users WHERE id = ANY($1)`, [
      userIds,
    ]);
    return rows[0]?.n ?? 0;
  }

  /** How many of these ids are agencies. */
  async countExistingAgencies(manager: EntityManager, agencyIds: readonly string[]): Promise<number> {
    const rows: { n: number }[] = await manager.query(`SELECT count(*)::int AS n FROM agencies WHERE id = ANY($1)`, [
      agencyIds,
    ]);
    return rows[0]?.n ?? 0;
  }
}
