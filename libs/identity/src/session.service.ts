import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Authenticator, Principal } from '@hearth/authz';
import { rateLimited, unauthenticated, validate } from '@hearth/errors';
import { RequestContext } from '@hearth/observability';
import { z } from 'zod';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { SessionEvents } from './session-events.js';
import { UserStatus } from './identity.enums.js';
import type { AuthPayloadModel } from './identity.models.js';
import { LoginThrottle } from './login-throttle.service.js';
import { PasswordService } from './password.service.js';
import { TokenService } from './token.service.js';
import { toUserModel, UserRepository, type UserRow } from './user.repository.js';

/** The one message for an unknown email and a wrong password. */
const LOGIN_FAILED = 'Invalid email or password';

const loginSchema = z.strictObject({
  email: z.string().trim().toLowerCase().min(1, { error: 'must not be empty' }).max(254, { error: 'is too long' }),
  password: z.string().min(1, { error: 'must not be empty' }).max(1024, { error: 'is too long' }),
});
const refreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(200) });

interface SessionCheckRow {
  agency_id: string;
  roles: Principal['roles'];
  status: UserStatus;
  revoked_at: Date | null;
  expires_at: Date;
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
    private readonly passwords: PasswordService,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
    private readonly ended: SessionEvents,
  ) {}

  async login(input: { email: string; password: string }): Promise<AuthPayloadModel> {
    const { email, password } = validate(loginSchema, input);
    // Counted before the password is checked, outside any transaction: a refusal still counts.
    const attempt = await this.throttle.attempt(this.dataSource, email, RequestContext.current()?.clientAddress);
    if (!attempt.allowed) {
      await this.dataSource.transaction((manager) =>
        this.events.record(manager, { kind: 'login-failed', email, userId: null, reason: 'locked-out' }),
      );
      throw rateLimited('Too many attempts; try again later', attempt.retryAfterSeconds);
    }
    const user = await this.users.findByEmail(email, this.dataSource.manager);
    const valid = await this.passwords.verify(user?.password_hash ?? undefined, password);

    if (!user || !valid || user.status !== UserStatus.ACTIVE) {
      await this.dataSource.transaction(async (manager) => {
        const reason = !user ? 'unknown-email' : !valid ? 'wrong-password' : 'account-disabled';
        await this.events.record(manager, { kind: 'login-failed', email, userId: user?.id ?? null, reason });
      });
      throw unauthenticated(LOGIN_FAILED);
    }
    const payload = await this.dataSource.transaction(async (manager) => {
      const sessionId = await this.openSession(manager, user.id);
      await this.events.record(manager, {
        kind: 'login',
        userId: user.id,
        agencyId: user.agency_id,
        roles: user.roles,
        sessionId,
      });
      return this.issue(manager, user, sessionId);
    });
    await this.throttle.succeeded(this.dataSource, attempt);
    return payload;
  }

  /** Rotates a refresh token. A token used twice revokes its whole session: someone copied it. */
  async refresh(input: { refreshToken: string }): Promise<AuthPayloadModel> {
    const { refreshToken } = validate(refreshSchema, input);
    const hash = TokenService.hashRefreshToken(refreshToken);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const rows: {
        id: string;
        used_at: Date | null;
        session_id: string;
        user_id: string;
        revoked_at: Date | null;
        expires_at: Date;
      }[] = await manager.query(
        `SELECT t.id, t.used_at, s.id AS session_id, s.user_id, s.revoked_at, s.expires_at
           FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
           WHERE t.token_hash = $1 FOR UPDATE OF t, s`,
        [hash],
      );
      const token = rows[0];
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
      await manager.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [token.id]);
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
    await manager.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId, reason],
    );
  }

  /**
   * A valid signature is not enough: the session must be live and the user active, and roles
   * come from the database, so a change takes effect on the next request.
   */
  async authenticate(accessToken: string): Promise<Principal> {
    const claims = await this.tokens.verifyAccessToken(accessToken);
    const rows: SessionCheckRow[] = await this.dataSource.query(
      `SELECT u.agency_id, u.roles, u.status, s.revoked_at, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND u.id = $2`,
      [claims.sessionId, claims.userId],
    );
    const row = rows[0];
    if (!row || row.status !== UserStatus.ACTIVE || row.revoked_at !== null || row.expires_at <= new Date()) {
      throw unauthenticated();
    }
    return { userId: claims.userId, agencyId: row.agency_id, roles: row.roles, sessionId: claims.sessionId };
  }

  private async openSession(manager: EntityManager, userId: string): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO sessions (user_id, expires_at) VALUES ($1, now() + make_interval(secs => $2)) RETURNING id`,
      [userId, this.tokens.refreshTokenTtlSeconds],
    );
    return rows[0]!.id;
  }

  private async revokeSession(manager: EntityManager, sessionId: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason],
    );
  }

  private async issue(manager: EntityManager, user: UserRow, sessionId: string): Promise<AuthPayloadModel> {
    const refresh = this.tokens.newRefreshToken();
    await manager.query(`INSERT INTO refresh_tokens (session_id, token_hash) VALUES ($1, $2)`, [
      sessionId,
      refresh.hash,
    ]);
    const accessToken = await this.tokens.signAccessToken({ userId: user.id, sessionId });
    return {
      accessToken,
      refreshToken: refresh.token,
      accessTokenExpiresAt: new Date(Date.now() + this.tokens.accessTokenTtlSeconds * 1000),
      user: toUserModel(user),
    };
  }
}
