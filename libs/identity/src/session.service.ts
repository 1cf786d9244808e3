import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Authenticator, FactsSource, Principal } from '@hearth/authz';
import { badInput, forbidden, line, rateLimited, unauthenticated, validate } from '@hearth/errors';
import { RequestContext } from '@hearth/observability';
import { z } from 'zod';
import { IdentifierHash } from './identifier-hash.service.js';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { SessionEvents } from './session-events.js';
import { SessionRepository, type SessionCheckRow } from './session.repository.js';
import type { AuthPayloadModel } from './identity.models.js';
import { LoginThrottle } from './login-throttle.service.js';
import { PasswordService } from './password.service.js';
import { LoginStep, UserStatus } from './identity.enums.js';
import { SecondFactorService } from './second-factor.service.js';
import { ExternalSignInRepository } from './external-sign-in.repository.js';
import { CHALLENGE_TTL_SECONDS, TokenService, type SignInMethod } from './token.service.js';
import { toUserModel, UserRepository, type CredentialedUserRow, type UserRow } from './user.repository.js';

/** The one message for an unknown email and a wrong password. */
const LOGIN_FAILED = 'Invalid email or password';

const loginSchema = z.strictObject({
  // No control characters: a NUL byte must be refused here, not reach PostgreSQL.
  email: line(254).transform((v) => v.toLowerCase()),
  password: z.string().min(1, { error: 'must not be empty' }).max(1024, { error: 'is too long' }),
});
const refreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(200) });
const completeLoginSchema = z.strictObject({
  challengeToken: z.string().min(1, { error: 'must not be empty' }).max(2000, { error: 'is too long' }),
  code: z.string().trim().max(64, { error: 'is too long' }).nullish(),
  newPassword: z.string().max(1024, { error: 'is too long' }).nullish(),
});

/** Changes whenever the password does (argon2 salts every hash): a challenge outlives neither. */
function credentialVersion(passwordHash: string): string {
  return createHash('sha256').update(passwordHash).digest('base64url').slice(0, 22);
}

/**
 * Logins, refresh-token rotation with reuse detection, logout, and the per-request check of an
 * access token (the same service authenticates HTTP requests and socket handshakes).
 */
@Injectable()
export class SessionService implements Authenticator {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
    private readonly ended: SessionEvents,
    private readonly identifiers: IdentifierHash,
    private readonly secondFactor: SecondFactorService,
    private readonly external: ExternalSignInRepository,
  ) {}

  async login(input: { email: string; password: string }): Promise<AuthPayloadModel> {
    const { email, password } = validate(loginSchema, input);
    const identifierHash = this.identifiers.of(email);
    // Counted before the password is checked, outside any transaction: a refusal still counts.
    const attempt = await this.throttle.attempt(this.dataSource, email, RequestContext.current()?.clientAddress);
    if (!attempt.allowed) {
      await this.dataSource.transaction((manager) =>
        this.events.record(manager, { kind: 'login-failed', identifierHash, userId: null, reason: 'locked-out' }),
      );
      throw rateLimited('Too many attempts; try again later', attempt.retryAfterSeconds);
    }
    const user = await this.users.findByEmail(email, this.dataSource.manager);
    const valid = await this.passwords.verify(user?.password_hash ?? undefined, password);

    if (!user || !valid || user.status !== UserStatus.ACTIVE) {
      await this.dataSource.transaction(async (manager) => {
        const reason = !user ? 'unknown-email' : !valid ? 'wrong-password' : 'account-disabled';
        await this.events.record(manager, {
          kind: 'login-failed',
          identifierHash,
          userId: user?.id ?? null,
          reason,
        });
      });
      throw unauthenticated(LOGIN_FAILED);
    }
    // Told only to someone who knows the password: the agency signs in through its provider.
    if (!(await this.external.passwordSignInAllowed(this.dataSource.manager, user.agency_id))) {
      await this.dataSource.transaction((manager) =>
        this.events.record(manager, {
          kind: 'login-failed',
          identifierHash,
          userId: user.id,
          reason: 'password-sign-in-off',
        }),
      );
      await this.throttle.succeeded(this.dataSource, attempt);
      throw forbidden(
        `${user.agency_name} signs in through its identity provider: use "Sign in with ${user.agency_name}"`,
      );
    }
    const payload = await this.dataSource.transaction((manager) =>
      this.nextStep(manager, user, { mfa: false, method: 'password' }),
    );
    await this.throttle.succeeded(this.dataSource, attempt);
    return payload;
  }

  /**
   * The second step of a sign-in: the code for MFA_CODE, a new password for PASSWORD_CHANGE. Gives
   * a session, or the next challenge.
   */
  async completeLogin(input: {
    challengeToken: string;
    code?: string | null;
    newPassword?: string | null;
  }): Promise<AuthPayloadModel> {
    const data = validate(completeLoginSchema, input);
    const claims = await this.tokens.verifyChallenge(data.challengeToken);
    const user = await this.users.findWithCredential(claims.userId, this.dataSource.manager);
    // A password sign-in needs the password it was started with; a provider's sign-in may have none.
    if (!user || user.status !== UserStatus.ACTIVE || (!user.password_hash && claims.method === 'password'))
      throw unauthenticated('Sign-in expired; start again');
    if (credentialVersion(user.password_hash ?? '') !== claims.credentialVersion) {
      throw unauthenticated('Sign-in expired; start again');
    }
    switch (claims.step) {
      case LoginStep.MFA_CODE: {
        if (!data.code) throw badInput('code', 'is required');
        await this.secondFactor.verifyAtLogin(user, data.code);
        return this.dataSource.transaction((manager) =>
          this.nextStep(manager, user, { mfa: true, method: claims.method }),
        );
      }
      case LoginStep.PASSWORD_CHANGE: {
        if (!data.newPassword) throw badInput('newPassword', 'is required');
        const chosen = this.passwords.checkPolicy('newPassword', data.newPassword, user.email);
        if (await this.passwords.verify(user.password_hash ?? undefined, chosen)) {
          throw badInput('newPassword', 'must differ from the password you were given');
        }
        const hash = await this.passwords.hash(chosen);
        return this.dataSource.transaction(async (manager) => {
          const locked = await this.users.findWithCredential(user.id, manager, true);
          if (locked?.password_hash !== user.password_hash) throw unauthenticated('Sign-in expired; start again');
          await this.users.setPassword(manager, user.id, hash);
          await this.events.record(manager, {
            kind: 'password-changed',
            userId: user.id,
            agencyId: user.agency_id,
            roles: user.roles,
            via: 'sign-in',
            sessionsEnded: 0,
          });
          return this.nextStep(
            manager,
            { ...user, must_change_password: false, password_hash: hash },
            { mfa: claims.mfa, method: claims.method },
          );
        });
      }
    }
  }

  /**
   * A sign-in whose first step an agency's identity provider proved (ExternalSignInService checked
   * the account): the second factor is still asked for, as after a password.
   */
  signInVerified(manager: EntityManager, user: CredentialedUserRow): Promise<AuthPayloadModel> {
    return this.nextStep(manager, user, { mfa: false, method: 'oidc' });
  }

  /** After the first step: a challenge for what is still missing, or the session. */
  private async nextStep(
    manager: EntityManager,
    user: CredentialedUserRow,
    proven: { mfa: boolean; method: SignInMethod },
  ): Promise<AuthPayloadModel> {
    // A password to change is asked for at a password sign-in only: the provider's sign-in used none.
    const step =
      !proven.mfa && (await this.secondFactor.isEnrolled(user.id, manager))
        ? LoginStep.MFA_CODE
        : user.must_change_password && proven.method === 'password'
          ? LoginStep.PASSWORD_CHANGE
          : undefined;
    if (step) {
      await this.events.record(manager, {
        kind: 'login-challenged',
        userId: user.id,
        agencyId: user.agency_id,
        step,
        method: proven.method,
      });
      const token = await this.tokens.signChallenge({
        userId: user.id,
        step,
        mfa: proven.mfa,
        credentialVersion: credentialVersion(user.password_hash ?? ''),
        method: proven.method,
      });
      const expiresAt = new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000);
      return {
        accessToken: null,
        refreshToken: null,
        accessTokenExpiresAt: null,
        user: null,
        challenge: { token, step, expiresAt },
      };
    }
    const sessionId = await this.openSession(manager, user.id, proven.mfa);
    await this.events.record(manager, {
      kind: 'login',
      userId: user.id,
      agencyId: user.agency_id,
      roles: user.roles,
      sessionId,
      mfa: proven.mfa,
      method: proven.method,
    });
    return this.issue(manager, user, sessionId);
  }

  /** Rotates a refresh token. A token used twice revokes its whole session: someone copied it. */
  async refresh(input: { refreshToken: string }): Promise<AuthPayloadModel> {
    const { refreshToken } = validate(refreshSchema, input);
    const hash = TokenService.hashRefreshToken(refreshToken);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await this.sessions.findRefreshTokenForUpdate(manager, hash);
      if (!token || token.revoked_at !== null || token.expires_at <= new Date()) return undefined;
      if (token.used_at !== null) {
        await this.revokeSession(manager, token.session_id, 'refresh token reused');
        await this.events.record(manager, {
          kind: 'session-revoked',
          userId: token.user_id,
          sessionId: token.session_id,
          reason: 'refresh token reused',
        });
        return { reused: { userId: token.user_id, sessionId: token.session_id } } as const;
      }
      const user = await this.users.findById(token.user_id, manager);
      if (!user || user.status !== UserStatus.ACTIVE) return undefined;
      await this.sessions.markRefreshTokenUsed(manager, token.id);
      return this.issue(manager, user, token.session_id);
    });
    if (outcome && 'reused' in outcome) this.ended.sessionsEnded(outcome.reused.userId, outcome.reused.sessionId);
    if (!outcome || 'reused' in outcome) throw unauthenticated('Session expired; log in again');
    return outcome;
  }

  async logout(principal: Principal): Promise<boolean> {
    await this.dataSource.transaction(async (manager) => {
      await this.revokeSession(manager, principal.sessionId, 'logout');
      await this.events.record(manager, { kind: 'logout', principal });
    });
    this.ended.sessionsEnded(principal.userId, principal.sessionId);
    return true;
  }

  /** Every live session of a user ends (disabling an account). */
  async revokeAllSessions(manager: EntityManager, userId: string, reason: string): Promise<void> {
    await this.sessions.revokeAll(manager, userId, reason);
  }

  /** Every live session of a user but one ends (a password changed); returns the ended ids. */
  async revokeOtherSessions(manager: EntityManager, userId: string, keep: string, reason: string): Promise<string[]> {
    return this.sessions.revokeOthers(manager, userId, keep, reason);
  }

  /**
   * A valid signature is not enough: the session must be live and the user active, and roles
   * come from the database, so a change takes effect on the next request.
   */
  async authenticate(accessToken: string, facts?: FactsSource): Promise<Principal> {
    const claims = await this.tokens.verifyAccessToken(accessToken);
    const row: (SessionCheckRow & { facts?: Record<string, unknown>[] }) | undefined = facts
      ? await this.sessions.findForCheckWithFacts(claims.sessionId, claims.userId, facts.statement)
      : await this.sessions.findForCheck(claims.sessionId, claims.userId);
    if (!row || row.status !== UserStatus.ACTIVE || row.revoked_at !== null || row.expires_at <= new Date()) {
      throw unauthenticated();
    }
    const roles = this.secondFactor.effectiveRoles(row.roles, row.mfa_verified);
    const principal = { userId: claims.userId, agencyId: row.agency_id, roles, sessionId: claims.sessionId };
    if (facts && row.facts) facts.adopt(principal, row.facts);
    return principal;
  }

  private async openSession(manager: EntityManager, userId: string, mfa: boolean): Promise<string> {
    return this.sessions.open(manager, userId, this.tokens.refreshTokenTtlSeconds, mfa);
  }

  private async revokeSession(manager: EntityManager, sessionId: string, reason: string): Promise<void> {
    await this.sessions.revoke(manager, sessionId, reason);
  }

  private async issue(manager: EntityManager, user: UserRow, sessionId: string): Promise<AuthPayloadModel> {
    const refresh = this.tokens.newRefreshToken();
    await this.sessions.insertRefreshToken(manager, sessionId, refresh.hash);
    const accessToken = await this.tokens.signAccessToken({ userId: user.id, sessionId });
    return {
      accessToken,
      refreshToken: refresh.token,
      accessTokenExpiresAt: new Date(Date.now() + this.tokens.accessTokenTtlSeconds * 1000),
      user: toUserModel(user, 'self'),
      challenge: null,
    };
  }
}
