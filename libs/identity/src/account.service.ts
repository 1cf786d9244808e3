import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@hearth/authz';
import { badInput, notFound, rateLimited, unauthenticated, validate } from '@hearth/errors';
import { RequestContext } from '@hearth/observability';
import { z } from 'zod';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { UserStatus } from './identity.enums.js';
import { contactCardSchema, type UpdateContactCardInput } from './identity.inputs.js';
import type { UserModel } from './identity.models.js';
import { LoginThrottle } from './login-throttle.service.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordService } from './password.service.js';
import { SessionEvents } from './session-events.js';
import { SessionService } from './session.service.js';
import { hashToken } from './user.service.js';
import { toUserModel, UserRepository } from './user.repository.js';

const changePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1, { error: 'must not be empty' }).max(1024, { error: 'is too long' }),
  newPassword: z.string().max(1024, { error: 'is too long' }),
});
const resetSchema = z.strictObject({
  token: z.string().min(1, { error: 'must not be empty' }).max(200, { error: 'is too long' }),
  newPassword: z.string().max(1024, { error: 'is too long' }),
});

const RESET_REFUSED = 'This reset token is invalid or has expired; ask your administrator for a new one';

/** What users do to their own account: their password and their contact card. */
@Injectable()
export class AccountService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly resets: PasswordResetRepository,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
    private readonly ended: SessionEvents,
  ) {}

  /**
   * The current password proves it is the owner (not someone at an unlocked screen); a wrong one
   * counts as a failed login for the account. Every other session ends, and its sockets with it.
   */
  async changePassword(
    principal: Principal,
    input: { currentPassword: string; newPassword: string },
  ): Promise<boolean> {
    const data = validate(changePasswordSchema, input);
    const user = await this.users.findWithCredential(principal.userId, this.dataSource.manager);
    if (!user) throw notFound();
    const chosen = this.passwords.checkPolicy('newPassword', data.newPassword, user.email);
    // Counted like a login attempt, before the check: guessing here is no way around the back-off.
    const attempt = await this.throttle.attempt(this.dataSource, user.email, RequestContext.current()?.clientAddress);
    if (!attempt.allowed) throw rateLimited('Too many attempts; try again later', attempt.retryAfterSeconds);
    if (!(await this.passwords.verify(user.password_hash ?? undefined, data.currentPassword))) {
      await this.dataSource.transaction((manager) =>
        this.events.record(manager, { kind: 'password-change-refused', principal, reason: 'wrong-password' }),
      );
      throw badInput('currentPassword', 'is not your current password');
    }
    await this.throttle.succeeded(this.dataSource, attempt);
    if (data.currentPassword === chosen) throw badInput('newPassword', 'must differ from your current password');
    const hash = await this.passwords.hash(chosen);
    const ended = await this.dataSource.transaction(async (manager) => {
      await this.users.setPassword(manager, principal.userId, hash);
      const others = await this.sessions.revokeOtherSessions(
        manager,
        principal.userId,
        principal.sessionId,
        'password changed',
      );
      await this.events.record(manager, {
        kind: 'password-changed',
        userId: principal.userId,
        agencyId: principal.agencyId,
        roles: principal.roles,
        via: 'settings',
        sessionsEnded: others.length,
      });
      return others;
    });
    for (const sessionId of ended) this.ended.sessionsEnded(principal.userId, sessionId);
    return true;
  }

  /**
   * Redeems an admin-issued reset token: single use, short-lived, for an active account. Gives no
   * session: the owner then signs in with the new password (and a second factor, if they have one).
   */
  async completeReset(input: { token: string; newPassword: string }): Promise<boolean> {
    const data = validate(resetSchema, input);
    const hash = hashToken(data.token);
    const reset = await this.resets.findByTokenHash(hash);
    if (!reset?.live) throw await this.refuseReset(reset?.id ?? null, reset?.user_id ?? null);
    const user = await this.users.findById(reset.user_id);
    if (!user || user.status !== UserStatus.ACTIVE) throw await this.refuseReset(reset.id, reset.user_id);
    const chosen = this.passwords.checkPolicy('newPassword', data.newPassword, user.email);
    const passwordHash = await this.passwords.hash(chosen);
    const spent = await this.dataSource.transaction(async (manager) => {
      if (!(await this.resets.spend(manager, reset.id))) return false;
      await this.users.setPassword(manager, user.id, passwordHash);
      await this.sessions.revokeAllSessions(manager, user.id, 'password reset');
      await this.events.record(manager, {
        kind: 'password-changed',
        userId: user.id,
        agencyId: user.agency_id,
        roles: user.roles,
        via: 'reset',
        sessionsEnded: 0,
      });
      return true;
    });
    if (!spent) throw await this.refuseReset(reset.id, reset.user_id);
    this.ended.sessionsEnded(user.id);
    return true;
  }

  async updateContactCard(principal: Principal, input: UpdateContactCardInput): Promise<UserModel> {
    const card = validate(contactCardSchema, input);
    const fields = Object.keys(card).filter((k) => card[k as keyof typeof card] !== undefined);
    await this.dataSource.transaction(async (manager) => {
      await this.users.updateContactCard(manager, principal.userId, card);
      // Which fields changed, never what they now say.
      await this.events.record(manager, { kind: 'contact-card-updated', principal, fields });
    });
    const row = await this.users.findById(principal.userId);
    if (!row) throw notFound();
    return toUserModel(row, principal);
  }

  private async refuseReset(resetId: string | null, userId: string | null): Promise<Error> {
    await this.dataSource.transaction((manager) =>
      this.events.record(manager, { kind: 'password-reset-refused', resetId, userId }),
    );
    return unauthenticated(RESET_REFUSED);
  }
}
