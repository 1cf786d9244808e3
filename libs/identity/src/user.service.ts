import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Role, type Principal } from '@hearth/authz';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { badInput, conflict, forbidden, notFound, uuid, validate, type HearthError } from '@hearth/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/pagination';
import { z } from 'zod';
import { IDENTITY_EVENTS, type IdentityEventRecorder, type SelfChange } from './identity-events.js';
import { SessionEvents } from './session-events.js';
import { UserStatus } from './identity.enums.js';
import { createUserSchema, rolesSchema, type CreateUserInput } from './identity.inputs.js';
import type { PasswordResetModel, UserModel } from './identity.models.js';
import { AgencyRepository } from './agency.repository.js';
import { MfaRepository } from './mfa.repository.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordService } from './password.service.js';
import { SessionService } from './session.service.js';
import { toUserModel, UserRepository, type UserRow } from './user.repository.js';

/** How long an admin-issued password reset token lives. */
export const PASSWORD_RESET_MINUTES = 30;

export const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

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
  /** The owner must choose a new password at the next sign-in. */
  mustChangePassword?: boolean | null | undefined;
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
    private readonly agencies: AgencyRepository,
    private readonly resets: PasswordResetRepository,
    private readonly mfa: MfaRepository,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
    private readonly ended: SessionEvents,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  async me(principal: Principal): Promise<UserModel> {
    const row = await this.users.findById(principal.userId);
    if (!row) throw notFound();
    return toUserModel(row, principal);
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
      return toConnection(
        [],
        size,
        () => [],
        (row) => toUserModel(row, principal),
      );
    }
    const agencyId = seesAll ? requested : principal.agencyId;
    const after = decodeCursor(args.after, ['string']);
    const rows = await this.users.page(agencyId, after?.[0] as string | undefined, size + 1);
    return toConnection(
      rows,
      size,
      (row) => [row.email],
      (row) => toUserModel(row, principal),
    );
  }

  async create(principal: Principal, input: CreateUserInput): Promise<UserModel> {
    const data = validate(createUserSchema, input);
    this.passwords.checkPolicy('password', data.password, data.email);
    const agencyId = data.agencyId ?? principal.agencyId;
    if (agencyId !== principal.agencyId && !isPartnershipAdmin(principal)) {
      throw forbidden('Only a partnership admin can create accounts in another agency');
    }
    this.checkGrant(principal, [], data.roles);
    const id = await this.dataSource.transaction(async (manager) => {
      if (!(await this.agencies.exists(manager, agencyId))) throw badInput('agencyId', 'is not an agency');
      if (data.managerId) await this.checkManager(manager, data.managerId, agencyId);
      const userId = await this.provision(manager, { ...data, agencyId });
      await this.events.record(manager, { kind: 'user-created', principal, userId, agencyId, roles: data.roles });
      return userId;
    });
    return toUserModel((await this.users.findById(id))!, principal);
  }

  /** Inserts an account and its credential. No authorisation: for create() and the demo seed. */
  async provision(manager: EntityManager, user: NewUser): Promise<string> {
    if (await this.users.emailTaken(manager, user.email)) throw conflict('An account with this email already exists');
    const id = await this.users.insert(manager, {
      agencyId: user.agencyId,
      email: user.email,
      displayName: user.displayName,
      jobTitle: user.jobTitle ?? null,
      phone: user.phone ?? null,
      roles: user.roles,
      managerId: user.managerId ?? null,
      mustChangePassword: user.mustChangePassword ?? false,
    });
    await this.users.insertCredential(manager, id, await this.passwords.hash(user.password));
    return id;
  }

  async setRoles(principal: Principal, input: { userId: string; roles: Role[] }): Promise<UserModel> {
    const { userId, roles } = validate(rolesSchema, input);
    if (userId === principal.userId) throw await this.refuseSelf(principal, 'setUserRoles', roles);
    await this.dataSource.transaction(async (manager) => {
      const target = await this.manageable(manager, principal, userId);
      this.checkGrant(principal, target.roles, roles);
      for (const role of [Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN]) {
        if (target.roles.includes(role) && !roles.includes(role)) await this.keepAnActive(manager, role, target);
      }
      await this.users.setRoles(manager, userId, roles);
      await this.events.record(manager, {
        kind: 'roles-changed',
        principal,
        userId,
        agencyId: target.agency_id,
        before: target.roles,
        after: roles,
      });
    });
    return toUserModel((await this.users.findById(userId))!, principal);
  }

  async disable(principal: Principal, input: { userId: string }): Promise<UserModel> {
    const { userId } = validate(z.strictObject({ userId: uuid }), input);
    if (userId === principal.userId) throw await this.refuseSelf(principal, 'disableUser');
    await this.dataSource.transaction(async (manager) => {
      const target = await this.manageable(manager, principal, userId);
      if (target.status === UserStatus.DISABLED) return;
      for (const role of [Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN]) {
        if (target.roles.includes(role)) await this.keepAnActive(manager, role, target);
      }
      await this.users.disable(manager, userId);
      await this.sessions.revokeAllSessions(manager, userId, 'account disabled');
      await this.events.record(manager, { kind: 'user-disabled', principal, userId, agencyId: target.agency_id });
    });
    this.ended.sessionsEnded(userId);
    return toUserModel((await this.users.findById(userId))!, principal);
  }

  async enable(principal: Principal, input: { userId: string }): Promise<UserModel> {
    const { userId } = validate(z.strictObject({ userId: uuid }), input);
    if (userId === principal.userId) throw await this.refuseSelf(principal, 'enableUser');
    await this.dataSource.transaction(async (manager) => {
      const target = await this.manageable(manager, principal, userId);
      if (target.status === UserStatus.ACTIVE) return;
      await this.users.enable(manager, userId);
      await this.events.record(manager, { kind: 'user-enabled', principal, userId, agencyId: target.agency_id });
    });
    return toUserModel((await this.users.findById(userId))!, principal);
  }

  /**
   * A one-time, short-lived token with which the account's owner sets a new password (shown once
   * to the admin; only its hash is kept). Earlier tokens are void, every session of the account
   * ends, and the old password, if remembered, now only leads to a forced change.
   */
  async resetPassword(principal: Principal, input: { userId: string }): Promise<PasswordResetModel> {
    const { userId } = validate(z.strictObject({ userId: uuid }), input);
    if (userId === principal.userId) throw await this.refuseSelf(principal, 'resetUserPassword');
    const token = randomBytes(32).toString('base64url');
    const reset = await this.dataSource.transaction(async (manager) => {
      const target = await this.manageable(manager, principal, userId);
      if (target.status !== UserStatus.ACTIVE) throw conflict('The account is disabled; enable it first');
      await this.resets.voidOpen(manager, userId);
      const row = await this.resets.insert(manager, {
        userId,
        issuedBy: principal.userId,
        tokenHash: hashToken(token),
        minutes: PASSWORD_RESET_MINUTES,
      });
      await this.users.requirePasswordChange(manager, userId);
      await this.sessions.revokeAllSessions(manager, userId, 'password reset');
      await this.events.record(manager, {
        kind: 'password-reset-issued',
        principal,
        userId,
        agencyId: target.agency_id,
        resetId: row.id,
        expiresAt: row.expires_at,
      });
      // The web client's reset page; the token in the fragment never reaches a server log.
      const link = `${this.config.publicUrl}/reset-password#token=${encodeURIComponent(token)}`;
      return { token, link, expiresAt: row.expires_at };
    });
    this.ended.sessionsEnded(userId);
    return reset;
  }

  /**
   * Removes a user's second factor and recovery codes (a lost phone) and ends their sessions: they
   * sign in with their password, and set up a new authenticator before acting as an admin again.
   */
  async removeMfa(principal: Principal, input: { userId: string }): Promise<UserModel> {
    const { userId } = validate(z.strictObject({ userId: uuid }), input);
    if (userId === principal.userId) throw await this.refuseSelf(principal, 'removeUserMfa');
    await this.dataSource.transaction(async (manager) => {
      const target = await this.manageable(manager, principal, userId);
      await this.mfa.removeAll(manager, userId);
      await this.sessions.revokeAllSessions(manager, userId, 'second factor removed');
      await this.events.record(manager, { kind: 'mfa-removed', principal, userId, agencyId: target.agency_id });
    });
    this.ended.sessionsEnded(userId);
    return toUserModel((await this.users.findById(userId))!, principal);
  }

  /**
   * Separation of duties: nobody changes their own roles or status, not even to add a role that
   * another admin could give them. The refusal is audited in a transaction of its own.
   */
  private async refuseSelf(principal: Principal, operation: SelfChange, roles?: readonly Role[]): Promise<HearthError> {
    await this.dataSource.transaction((manager) =>
      this.events.record(manager, { kind: 'self-change-refused', principal, operation, ...(roles ? { roles } : {}) }),
    );
    switch (operation) {
      case 'setUserRoles':
        return forbidden('Nobody can change their own roles; ask another administrator');
      case 'disableUser':
      case 'enableUser':
        return forbidden('Nobody can change the status of their own account; ask another administrator');
      case 'resetUserPassword':
        return forbidden('Change your own password with changeMyPassword');
      case 'removeUserMfa':
        return forbidden('Nobody can remove their own second factor; ask another administrator');
    }
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
    await this.users.lockActiveHolders(manager, role, scope);
    if ((await this.users.countOtherActiveHolders(manager, role, target.id, scope)) === 0) {
      throw conflict(
        role === Role.AGENCY_ADMIN
          ? 'This would leave the agency without an active agency admin'
          : 'This would leave the partnership without an active partnership admin',
      );
    }
  }

  private async checkManager(manager: EntityManager, managerId: string, agencyId: string): Promise<void> {
    if (!(await this.users.isActiveManagerIn(manager, managerId, agencyId)))
      throw badInput('managerId', 'must be an active MANAGER of the same agency');
  }
}
