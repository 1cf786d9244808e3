import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Failures allowed per window before the key is locked for LOCK_MINUTES. */
const ACCOUNT_LIMIT = 5;
const ADDRESS_LIMIT = 20;
const WINDOW_MINUTES = 15;
const LOCK_MINUTES = 15;

/**
 * Back-off on failed logins, per account (the email tried, whether or not it exists) and per
 * client address, kept in PostgreSQL so every node sees the same counts.
 */
@Injectable()
export class LoginThrottle {
  keys(email: string, clientAddress: string | undefined): { account: string; address: string | undefined } {
    return { account: `account:${email}`, address: clientAddress ? `address:${clientAddress}` : undefined };
  }

  async isLocked(manager: EntityManager, keys: readonly string[]): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM login_throttle WHERE key = ANY($1) AND locked_until > now() LIMIT 1`,
      [keys],
    );
    return rows.length > 0;
  }

  async recordFailure(manager: EntityManager, key: string, kind: 'account' | 'address'): Promise<void> {
    const limit = kind === 'account' ? ACCOUNT_LIMIT : ADDRESS_LIMIT;
    await manager.query(
      `INSERT INTO login_throttle AS t (key, failures, window_started_at) VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at < now() - make_interval(mins => $2) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at < now() - make_interval(mins => $2) THEN now() ELSE t.window_started_at END,
         locked_until = CASE
           WHEN t.window_started_at >= now() - make_interval(mins => $2) AND t.failures + 1 >= $3
           THEN now() + make_interval(mins => $4) ELSE t.locked_until END`,
      [key, WINDOW_MINUTES, limit, LOCK_MINUTES],
    );
  }

  async clear(manager: EntityManager, key: string): Promise<void> {
    await manager.query(`DELETE FROM login_throttle WHERE key = $1`, [key]);
  }
}
