import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@hearth/authz';
import { preparedQuery, updateReturning } from '@hearth/database';
import type { UserStatus } from './identity.enums.js';

/** A refresh token with its session, as a rotation reads it. */
export interface RefreshTokenRow {
  id: string;
  used_at: Date | null;
  session_id: string;
  user_id: string;
  revoked_at: Date | null;
  expires_at: Date;
}

/** What the per-request check needs of a session and its user. */
export interface SessionCheckRow {
  agency_id: string;
  roles: Role[];
  status: UserStatus;
  revoked_at: Date | null;
  expires_at: Date;
  mfa_verified: boolean;
}

@Injectable()
export class SessionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A refresh token and its session, both locked, by the token's hash. */
  async findRefreshTokenForUpdate(manager: EntityManager, tokenHash: Buffer): Promise<RefreshTokenRow | undefined> {
    const rows: RefreshTokenRow[] = await manager.query(
      `SELECT t.id, t.used_at, s.id AS session_id, s.user_id, s.revoked_at, s.expires_at
           FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
           WHERE t.token_hash = $1 FOR UPDATE OF t, s`,
      [tokenHash],
    );
    return rows[0];
  }

  async markRefreshTokenUsed(manager: EntityManager, tokenId: string): Promise<void> {
    await manager.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [tokenId]);
  }

  async insertRefreshToken(manager: EntityManager, sessionId: string, tokenHash: Buffer): Promise<void> {
    await manager.query(`INSERT INTO refresh_tokens (session_id, token_hash) VALUES ($1, $2)`, [sessionId, tokenHash]);
  }

  /** Every live session of a user ends. */
  async revokeAll(manager: EntityManager, userId: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId, reason],
    );
  }

  /** Every live session of a user but one ends; returns the ended ids. */
  async revokeOthers(manager: EntityManager, userId: string, keep: string, reason: string): Promise<string[]> {
    const rows = await updateReturning<{ id: string }>(
      manager,
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $3
       WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id`,
      [userId, keep, reason],
    );
    return rows.map((r) => r.id);
  }

  async revoke(manager: EntityManager, sessionId: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason],
    );
  }

  /** A session with what its user may do now. */
  async findForCheck(sessionId: string, userId: string): Promise<SessionCheckRow | undefined> {
    const rows = await preparedQuery<SessionCheckRow>(
      this.dataSource.manager,
      `SELECT u.agency_id, u.roles, u.status, s.revoked_at, s.expires_at, s.mfa_verified
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND u.id = $2`,
      [sessionId, userId],
    );
    return rows[0];
  }

  /**
   * The same, with the rows of `facts` (a SELECT of the user `$1`'s rows) read in the same
   * statement: an operation's first, prepared (the facts' view is costly to plan every time).
   */
  async findForCheckWithFacts(
    sessionId: string,
    userId: string,
    facts: string,
  ): Promise<(SessionCheckRow & { facts: Record<string, unknown>[] }) | undefined> {
    const rows = await preparedQuery<SessionCheckRow & { facts: Record<string, unknown>[] }>(
      this.dataSource.manager,
      sessionCheckWithFacts(facts),
      [userId, sessionId],
    );
    return rows[0];
  }

  /** Opens a session lasting the given seconds; returns its id. */
  async open(manager: EntityManager, userId: string, ttlSeconds: number, mfa: boolean): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO sessions (user_id, expires_at, mfa_verified) VALUES ($1, now() + make_interval(secs => $2), $3) RETURNING id`,
      [userId, ttlSeconds, mfa],
    );
    return rows[0]!.id;
  }

  /** The session was opened, or is now proven, with a second factor. */
  async markMfaVerified(manager: EntityManager, sessionId: string): Promise<void> {
    await manager.query(`UPDATE sessions SET mfa_verified = true WHERE id = $1`, [sessionId]);
  }
}

/**
 * The session check and another statement's rows (`facts`, whose `$1` is the user's id) in one
 * statement: one round trip. No live session row, no row at all.
 */
export function sessionCheckWithFacts(facts: string): string {
  return `SELECT u.agency_id, u.roles, u.status, s.revoked_at, s.expires_at, s.mfa_verified,
         (SELECT coalesce(json_agg(f), '[]'::json) FROM (${facts}) f) AS facts
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.id = $1 AND s.id = $2`;
}
