import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';

@Injectable()
export class MfaRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Whether the user has a confirmed authenticator. */
  async isEnrolled(manager: EntityManager, userId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM mfa_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId],
    );
    return rows.length > 0;
  }

  /** Stores a pending authenticator, replacing a pending one; false if one is confirmed already. */
  async upsertPending(manager: EntityManager, userId: string, secretBox: Buffer): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO mfa_factors (user_id, secret_box) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET secret_box = EXCLUDED.secret_box, created_at = now(),
           last_used_step = NULL, attempts = 0, window_started_at = now()
         WHERE mfa_factors.confirmed_at IS NULL
         RETURNING 1`,
      [userId, secretBox],
    );
    return rows.length > 0;
  }

  /** Confirms the pending authenticator at a step, giving back the attempt; false if none was pending. */
  async confirm(manager: EntityManager, userId: string, step: number): Promise<boolean> {
    const confirmed = await updateReturning(
      manager,
      `UPDATE mfa_factors SET confirmed_at = now(), last_used_step = $2, attempts = greatest(attempts - 1, 0)
         WHERE user_id = $1 AND confirmed_at IS NULL RETURNING 1`,
      [userId, step],
    );
    return confirmed.length > 0;
  }

  /** Replaces the user's recovery codes with these hashes. */
  async replaceRecoveryCodes(manager: EntityManager, userId: string, codeHashes: readonly Buffer[]): Promise<void> {
    await manager.query(`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, [userId]);
    await manager.query(`INSERT INTO mfa_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])`, [
      userId,
      codeHashes,
    ]);
  }

  /** Removes the user's authenticator and recovery codes. */
  async removeAll(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, [userId]);
    await manager.query(`DELETE FROM mfa_factors WHERE user_id = $1`, [userId]);
  }

  /** Uses a step of the confirmed authenticator, giving back the attempt; false if that step or a later one was used. */
  async useStep(userId: string, step: number): Promise<boolean> {
    const rows = await updateReturning(
      this.dataSource,
      `UPDATE mfa_factors SET last_used_step = $2, attempts = greatest(attempts - 1, 0)
             WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING 1`,
      [userId, step],
    );
    return rows.length > 0;
  }

  /** Spends an unused recovery code; false if there was none with this hash. */
  async spendRecoveryCode(userId: string, codeHash: Buffer): Promise<boolean> {
    const spent = await updateReturning<{ id: string }>(
      this.dataSource,
      `UPDATE mfa_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
       RETURNING id`,
      [userId, codeHash],
    );
    return spent.length > 0;
  }

  /** Counts an attempt in the current window (a new one after the given minutes); returns the window's attempts. */
  async countAttempt(userId: string, windowMinutes: number): Promise<number> {
    const rows = await updateReturning<{ attempts: number }>(
      this.dataSource,
      `UPDATE mfa_factors SET
         attempts = CASE WHEN window_started_at < now() - make_interval(mins => $2) THEN 1 ELSE attempts + 1 END,
         window_started_at = CASE WHEN window_started_at < now() - make_interval(mins => $2) THEN now() ELSE window_started_at END
       WHERE user_id = $1 RETURNING attempts`,
      [userId, windowMinutes],
    );
    return rows[0]?.attempts ?? 0;
  }

  /** The sealed secret of the user's confirmed, or pending, authenticator. */
  async findSecretBox(userId: string, confirmed: boolean): Promise<Buffer | undefined> {
    const rows: { secret_box: Buffer }[] = await this.dataSource.query(
      `SELECT secret_box FROM mfa_factors WHERE user_id = $1 AND (confirmed_at IS NOT NULL) = $2`,
      [userId, confirmed],
    );
    return rows[0]?.secret_box;
  }
}
