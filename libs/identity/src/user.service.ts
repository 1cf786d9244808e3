import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Role, type Principal } from '@hearth/authz';
import { badInput, conflict, forbidden, notFound, uuid, validate } from '@hearth/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/relay';
import { z } from 'zod';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { SessionEvents } from './session-events.js';
import { UserStatus } from './identity.enums.js';
import { createUserSchema, rolesSchema, type CreateUserInput } from './identity.inputs.js';
import type { UserModel } from './identity.models.js';
import { PasswordService } from './password.service.js';
import { SessionService } from './session.service.js';
import { toUserModel, UserRepository, type UserRow } from './user.repository.js';

/** Roles only a partnership admin may give or take away. */
const PARTNERSHIP_ROLES: readonly Role[] = [Role.AUDITOR, Role.PARTNERSHIP_ADMIN];

const isPartnershipAdmin = (p: Principal) => p.roles.includes(Role.PARTNERSHIP_ADMIN);

/** New account data, already validated; provisioning does no authorisation (callers do). */
export interface NewUser {
  agencyId: string;
  email: string;
  displayName: string;
  jobTitle?: string | null | undefined;
  phone?: string | null | undefined;
  roles: Role[];
  managerId?: string | null | undefined;
  password: string;
}

/**
 * Account administration. Agency admins act on their own agency only (anything else is
 * NOT_FOUND, as if it did not exist); AUDITOR and PARTNERSHIP_ADMIN are given and taken by
 * partnership admins alone; no change may leave an agency without an active agency admin, or
 * the partnership without an active partnership admin.
 */
@Injectable()
export class UserService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
    private readonly ended: SessionEvents,
  ) {}

  async me(principal: Principal): Promise<UserModel> {
    const row = await this.users.findById(principal.userId);
    if (!row) throw notFound();
    return toUserModel(row);
  }

  /** Agency admins see their agency; partnership admins and auditors see every agency. */
  async list(
    principal: Principal,
    args: { agencyId?: string | null; first?: number | null; after?: string | null },
  ): Promise<Connection<UserModel>> {
    const size = pageSize(args.first);
    const requested = args.agencyId ? validate(uuid, args.agencyId) : undefined;
    const seesAll = isPartnershipAdmin(principal) || principal.roles.includes(Role.AUDITOR);
    if (!seesAll && requested && requested !== principal.agencyId) {
      return toConnection([], size, () => [], toUserModel);
    }
    const agencyId = seesAll ? requested : principal.agencyId;
    const after = decodeCursor(args.after, ['string']);
    const rows = await this.users.page(agencyId, after?.[0] as string | undefined, size + 1);
    return toConnection(rows, size, (row) => [row.email], toUserModel);
  }

  async create(principal: Principal, input: CreateUserInput): Promise<UserModel> {
    const data = validate(createUserSchema, input);
    const agencyId = data.agencyId ?? principal.agencyId;
    if (agencyId !== principal.agencyId && !isPartnershipAdmin(principal)) {
      throw forbidden('Only a partnership admin can create accounts in another agency');
    }
    this.checkGrant(principal, [], data.roles);
    const id = await this.dataSource.transaction(async (manager) => {
      const agency: unknown[] = await manager.query(`SELECT 1 FROM agencies WHERE id = $1`, [agencyId]);
      if (agency.length === 0) throw badInput('agencyId', 'is not an agency');
      if (data.managerId) await this.checkManager(manager, data.managerId, agencyId);
      const userId = await this.provision(manager, { ...data, agencyId });
      await this.events.record(manager, { kind: 'user-created', principal, userId, agencyId, roles: data.roles });
      return userId;
    });
    return toUserModel((await this.users.findById(id))!);
  }

  /** Inserts an account and its credential. No authorisation: for create() and the demo seed. */
  async provision(manager: EntityManager, user: NewUser): Promise<string> {
    const taken: unknown[] = await manager.query(`SELECT 1 FROM users WHERE email = $1`, [user.email]);
    if (taken.length > 0) throw conflict('An account with this email already exists');
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO users (agency_id, email, display_name, job_title, phone, roles, manager_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        user.agencyId,
        user.email,
        user.displayName,
        user.jobTitle ?? null,
        user.phone ?? null,
        user.roles,
        user.managerId ?? null,
      ],
    );
    const id = rows[0]!.id;
    await manager.query(`INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)`, [
      id,
      await this.passwords.hash(user.password),
    ]);
    return id;
  }

  async setRoles(principal: Principal, input: { userId: string; roles: Role[] }): Promise<UserModel> {
    const { userId, roles } = validate(rolesSchema, input);
    await this.dataSource.transaction(async (manager) => {
      const target = await this.manageable(manager, principal, userId);
      this.checkGrant(principal, target.roles, roles);
      for (const role of [Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN]) {
        if (target.roles.includes(role) && !roles.includes(role)) await this.keepAnActive(manager, role, target);
      }
      await manager.query(`UPDATE users SET roles = $2, updated_at = now() WHERE id = $1`, [userId, roles]);
      await this.events.record(manager, {
        kind: 'roles-changed',
        principal,
        userId,
        agencyId: target.agency_id,
        before: target.roles,
        after: roles,
      });
    });
    return toUserModel((await this.users.findById(userId))!);
  }

  async disable(principal: Principal, input: { userId: string }): Promise<UserModel> {
    const { userId } = validate(z.strictObject({ userId: uuid }), input);
    if (userId === principal.userId) throw conflict('You cannot disable your own account');
    await this.dataSource.transaction(async (manager) => {
      const target = await this.manageable(manager, principal, userId);
      if (target.status === UserStatus.DISABLED) return;
      for (const role of [Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN]) {
        if (target.roles.includes(role)) await this.keepAnActive(manager, role, target);
      }
      await manager.query(`UPDATE users SET status = 'DISABLED', updated_at = now() WHERE id = $1`, [userId]);
      await this.sessions.revokeAllSessions(manager, userId, 'account disabled');
      await this.events.record(manager, { kind: 'user-disabled', principal, userId, agencyId: target.agency_id });
    });
    this.ended.sessionsEnded(userId);
    return toUserModel((await this.users.findById(userId))!);
  }

  /** The target, locked, if the caller administers it; NOT_FOUND otherwise. */
  private async manageable(manager: EntityManager, principal: Principal, userId: string): Promise<UserRow> {
    const target = await this.users.findById(userId, manager, true);
    if (!target) throw notFound();
    if (isPartnershipAdmin(principal)) return target;
    if (principal.roles.includes(Role.AGENCY_ADMIN) && target.agency_id === principal.agencyId) return target;
    throw notFound();
  }

  /** Agency admins may neither give nor take away the partnership's roles. */
  private checkGrant(principal: Principal, before: readonly Role[], after: readonly Role[]): void {
    if (isPartnershipAdmin(principal)) return;
    const changed = PARTNERSHIP_ROLES.some((role) => before.includes(role) !== after.includes(role));
    if (changed) throw forbidden('Only a partnership admin can give or remove AUDITOR or PARTNERSHIP_ADMIN');
  }

  private async keepAnActive(manager: EntityManager, role: Role, target: UserRow): Promise<void> {
    if (target.status !== UserStatus.ACTIVE) return;
    const scope = role === Role.AGENCY_ADMIN ? target.agency_id : undefined;
    // Lock the holders so two admins cannot each remove the other at once.
    await manager.query(
      `SELECT id FROM users WHERE roles @> ARRAY[$1]::text[] AND status = 'ACTIVE' AND ($2::uuid IS NULL OR agency_id = $2) FOR UPDATE`,
      [role, scope ?? null],
    );
    if ((await this.users.countOtherActiveHolders(manager, role, target.id, scope)) === 0) {
      throw conflict(
        role === Role.AGENCY_ADMIN
          ? 'This would leave the agency without an active agency admin'
          : 'This would leave the partnership without an active partnership admin',
      );
    }
  }

  private async checkManager(manager: EntityManager, managerId: string, agencyId: string): Promise<void> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM users WHERE id = $1 AND agency_id = $2 AND roles @> ARRAY['MANAGER']::text[] AND status = 'ACTIVE'`,
      [managerId, agencyId],
    );
    if (rows.length === 0) throw badInput('managerId', 'must be an active MANAGER of the same agency');
  }
}
