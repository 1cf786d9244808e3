import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { conflict } from '@hearth/errors';

/** How long a key is remembered. */
export const KEY_TTL_HOURS = 24;
/** How long a retry waits for the first request with its key to finish before CONFLICT. */
const WAIT_FOR_FIRST = '20s';

export interface StoredOutcome {
  readonly httpStatus: number;
  readonly response: unknown;
}

/** The request owns its key: the row is in its unit of work's transaction until that ends. */
export interface Claim {
  readonly userId: string;
  readonly key: string;
}

export type ClaimResult = { kind: 'claimed'; claim: Claim } | { kind: 'replay'; outcome: StoredOutcome };

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Idempotency keys. Claiming inserts the key's row in the request's unit of work, whose
 * transaction stays open for the whole mutation, so the row, the act and its stored outcome
 * commit together or not at all. A second request with the same key meanwhile waits on the row's
 * unique index; when the first commits it gets the stored outcome, when the first rolls back it runs.
 * After a refusal (CONFLICT) the transaction is unusable: the caller rolls it back.
 */
@Injectable()
export class IdempotencyKeyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** In `runner`'s transaction (the request's unit of work). */
  async claim(runner: QueryRunner, userId: string, key: string, requestHash: Buffer): Promise<ClaimResult> {
    try {
      await runner.query(`SET LOCAL lock_timeout = '${WAIT_FOR_FIRST}'`);
      // An expired key is forgotten, whether or not the cleaning job has run yet.
      await runner.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND expires_at <= now()`, [
        userId,
        key,
      ]);
      const inserted = (await runner.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, http_status, response, expires_at)
         VALUES ($1, $2, $3, 0, 'null', now() + make_interval(hours => $4))
         ON CONFLICT (user_id, key) DO NOTHING RETURNING 1`,
        [userId, key, requestHash, KEY_TTL_HOURS],
      )) as unknown[];
      if (inserted.length === 1) {
        await runner.query(`SET LOCAL lock_timeout = DEFAULT`);
        return { kind: 'claimed', claim: { userId, key } };
      }
      const rows = (await runner.query(
        `SELECT request_hash, http_status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
        [userId, key],
      )) as { request_hash: Buffer; http_status: number; response: unknown }[];
      const stored = rows[0];
      if (!stored) throw conflict('A request with this Idempotency-Key is still in progress');
      if (!stored.request_hash.equals(requestHash))
        throw conflict('This Idempotency-Key was used with a different request');
      return { kind: 'replay', outcome: { httpStatus: stored.http_status, response: stored.response } };
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE)
        throw conflict('A request with this Idempotency-Key is still in progress');
      throw error;
    }
  }

  /** Stores the outcome in `runner`'s transaction: it commits with the act. */
  async complete(runner: QueryRunner, claim: Claim, outcome: StoredOutcome): Promise<void> {
    await runner.query(`UPDATE idempotency_keys SET http_status = $3, response = $4 WHERE user_id = $1 AND key = $2`, [
      claim.userId,
      claim.key,
      outcome.httpStatus,
      JSON.stringify(outcome.response),
    ]);
  }

  /** Forgets keys older than their 24 hours. */
  async deleteExpired(): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE expires_at <= now() RETURNING 1`,
    );
    return rows.length;
  }
}
