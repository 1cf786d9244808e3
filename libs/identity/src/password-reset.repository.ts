import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';

/** A reset token as redeeming reads it: live while unused, unexpired and its account active. */
export interface PasswordResetLookupRow {
  id: string;
  user_id: string;
  live: boolean;
}

@Injectable()
export class PasswordResetRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Voids every unused reset token of the user. */
  async voidOpen(manager: EntityManager, userId: string): Promise<void> {
    await manager.query(`UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, [userId]);
  }

  /** A new reset token's hash, living the given minutes; returns its id and expiry. */
  async insert(
    manager: EntityManager,
    reset: { userId: string; issuedBy: string; tokenHash: Buffer; minutes: number },
  ): Promise<{ id: string; expires_at: Date }> {
    const rows: { id: string; expires_at: Date }[] = await manager.query(
      `INSERT INTO password_resets (user_id, issued_by, token_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(mins => $4)) RETURNING id, expires_at`,
      [reset.userId, reset.issuedBy, reset.tokenHash, reset.minutes],
    );
    return rows[0]!;
  }

  async findByTokenHash(tokenHash: Buffer): Promise<PasswordResetLookupRow | undefined> {
    const found: PasswordResetLookupRow[] = await this.dataSource.query(
      `SELECT r.id, r.user_id, (r.used_at IS NULL AND now() < r.expires_at AND u.status = 'ACTIVE') AS live
       FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1`,
      [tokenHash],
    );
    return found[0];
  }

  /** Spends a reset token if it is still unused and unexpired; false otherwise. */
  async spend(manager: EntityManager, resetId: string): Promise<boolean> {
    const rows = await updateReturning(
      manager,
      `UPDATE password_resets SET used_at = now() WHERE id = $1 AND used_at IS NULL AND now() < expires_at RETURNING 1`,
      [resetId],
    );
    return rows.length > 0;
  }
}
