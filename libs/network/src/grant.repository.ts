import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';
import type { GrantReviewOutcome } from './network.enums.js';

/** A break-glass grant and its review. */
export interface GrantRow {
  id: string;
  family_id: string;
  user_id: string;
  reason: string;
  granted_at: Date;
  expires_at: Date;
  flagged: boolean;
  review_outcome: GrantReviewOutcome | null;
  review_note: string | null;
  reviewed_at: Date | null;
}

const GRANT_COLUMNS =
  'id, family_id, user_id, reason, granted_at, expires_at, flagged, review_outcome, review_note, reviewed_at';

/** The `access_grants` table: break-glass access, time-boxed, reviewed by an auditor afterwards. */
@Injectable()
export class GrantRepository {
  /**
   * How many grants the user was given in the last 30 days. The caller's transaction holds the
   * user's break-glass lock from here to its end, so concurrent uses are counted one after the
   * other (the count reads in a statement of its own, after the wait).
   */
  async countRecent(manager: EntityManager, userId: string): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('hearth.break-glass:' || $1, 0))`, [userId]);
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM access_grants WHERE user_id = $1 AND granted_at > now() - interval '30 days'`,
      [userId],
    );
    return rows[0]?.n ?? 0;
  }

  /** A grant from now for `hours`. */
  async insert(
    manager: EntityManager,
    grant: { familyId: string; userId: string; reason: string; hours: number; flagged: boolean },
  ): Promise<GrantRow> {
    const rows: GrantRow[] = await manager.query(
      `INSERT INTO access_grants (family_id, user_id, reason, expires_at, flagged)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5) RETURNING ${GRANT_COLUMNS}`,
      [grant.familyId, grant.userId, grant.reason, grant.hours, grant.flagged],
    );
    return rows[0]!;
  }

  /** Records the review of a grant not reviewed yet; undefined if there is no such grant. */
  async review(
    manager: EntityManager,
    review: { id: string; outcome: GrantReviewOutcome; note: string; reviewedBy: string },
  ): Promise<GrantRow | undefined> {
    const rows: GrantRow[] = await updateReturning(
      manager,
      `UPDATE access_grants SET review_outcome = $2, review_note = $3, reviewed_by = $4, reviewed_at = now()
       WHERE id = $1 AND review_outcome IS NULL RETURNING ${GRANT_COLUMNS}`,
      [review.id, review.outcome, review.note, review.reviewedBy],
    );
    return rows[0];
  }

  async exists(manager: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM access_grants WHERE id = $1`, [id]);
    return rows.length > 0;
  }

  /** Up to `limit` grants, newest first, strictly after the (granted_at, id) key. */
  page(
    manager: EntityManager,
    pendingReview: boolean | null,
    after: readonly unknown[] | undefined,
    limit: number,
  ): Promise<GrantRow[]> {
    return manager.query(
      `SELECT ${GRANT_COLUMNS} FROM access_grants
       WHERE ($1::boolean IS NOT TRUE OR review_outcome IS NULL)
         AND ($2::timestamptz IS NULL OR (granted_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY granted_at DESC, id DESC LIMIT $4`,
      [pendingReview, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }
}
