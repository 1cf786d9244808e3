import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { NotificationType } from './notification.model.js';

/** One stored notification of a user's inbox. */
export interface NotificationRow {
  user_id: string;
  seq: number;
  type: NotificationType;
  family_id: string | null;
  event_id: string | null;
  alert_id: string | null;
  rag: string | null;
  created_at: Date;
}

/** What one notification says, the same for each of its recipients. */
export interface NotificationFields {
  readonly type: NotificationType;
  readonly familyId: string | null;
  readonly eventId: string | null;
  readonly alertId: string | null;
  readonly rag: string | null;
}

const COLUMNS = 'user_id, seq, type, family_id, event_id, alert_id, rag, created_at';

/** The inbox's tables: `notifications` and the per-user sequence in `inbox_counters`. */
@Injectable()
export class NotificationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * One notification for each user, each numbered by that user's next sequence number. Needs
   * the caller's transaction, and users in a fixed order (the counters are locked in it).
   */
  insertForUsers(
    manager: EntityManager,
    users: readonly string[],
    notification: NotificationFields,
  ): Promise<NotificationRow[]> {
    return manager.query(
      `WITH bumped AS (
         INSERT INTO inbox_counters AS c (user_id, last_seq) SELECT u, 1 FROM unnest($1::uuid[]) AS u
         ON CONFLICT (user_id) DO UPDATE SET last_seq = c.last_seq + 1
         RETURNING user_id, last_seq)
       INSERT INTO notifications (user_id, seq, type, family_id, event_id, alert_id, rag)
       SELECT user_id, last_seq, $2, $3, $4, $5, $6 FROM bumped
       RETURNING ${COLUMNS}`,
      [users, notification.type, notification.familyId, notification.eventId, notification.alertId, notification.rag],
    );
  }

  /** Up to `limit` of the user's notifications after `afterSeq`, in order. */
  since(userId: string, afterSeq: number, limit: number): Promise<NotificationRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM notifications
       WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [userId, afterSeq, limit],
    );
  }

  /** Each user's last sequence number (0 before their first notification), in the order given. */
  async lastSeqs(users: readonly string[]): Promise<number[]> {
    const rows: { last_seq: number }[] = await this.dataSource.query(
      `SELECT coalesce(c.last_seq, 0) AS last_seq
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(user_id, i)
       LEFT JOIN inbox_counters c ON c.user_id = u.user_id ORDER BY u.i`,
      [users],
    );
    return rows.map((row) => row.last_seq);
  }

  /**
   * For each user, up to `limit` of their notifications after that user's `afterSeq`, ordered by
   * user and sequence number: one round trip, an index range scan per user.
   */
  after(watermarks: readonly { userId: string; afterSeq: number }[], limit: number): Promise<NotificationRow[]> {
    return this.dataSource.query(
      `SELECT n.* FROM unnest($1::uuid[], $2::bigint[]) AS w(user_id, after_seq)
       CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM notifications
         WHERE user_id = w.user_id AND seq > w.after_seq ORDER BY seq LIMIT $3) n
       ORDER BY n.user_id, n.seq`,
      [watermarks.map((w) => w.userId), watermarks.map((w) => w.afterSeq), limit],
    );
  }

  /** Marks the user's notifications through `seq` delivered (those not marked yet). */
  async markDelivered(userId: string, seq: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE notifications SET delivered_at = now() WHERE user_id = $1 AND seq <= $2 AND delivered_at IS NULL`,
      [userId, seq],
    );
  }
}
