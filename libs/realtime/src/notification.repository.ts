import { actAsUser, preparedQuery, SYSTEM_DATA_SOURCE } from '@hearth/database';
import { Inject, Injectable } from '@nestjs/common';
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
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SYSTEM_DATA_SOURCE) private readonly system: DataSource,
  ) {}

  /**
   * The notifications of a batch (each to its users), numbered by each user's next sequence
   * numbers in batch order. Needs the caller's transaction: the users' counters are locked in
   * ascending user order, in this one statement, until it ends. Each row says which notification
   * of the batch it is. The rows are answered from what was written, not by RETURNING: the writer
   * may not read other users' inboxes (row-level security), only add to them.
   */
  insertForUsers(
    manager: EntityManager,
    batch: readonly { readonly users: readonly string[]; readonly fields: NotificationFields }[],
  ): Promise<(NotificationRow & { batch_index: number })[]> {
    const pairs = batch.flatMap(({ users }, index) => users.map((user) => [user, index] as const));
    return preparedQuery(
      manager,
      `WITH items AS (
         SELECT t.user_id, t.batch_index, row_number() OVER (PARTITION BY t.user_id ORDER BY t.batch_index) AS nth,
                count(*) OVER (PARTITION BY t.user_id) AS n
         FROM unnest($1::uuid[], $2::int[]) AS t(user_id, batch_index)),
       bumped AS (
         INSERT INTO inbox_counters AS c (user_id, last_seq)
         SELECT user_id, n FROM items WHERE nth = 1 ORDER BY user_id
         ON CONFLICT (user_id) DO UPDATE SET last_seq = c.last_seq + EXCLUDED.last_seq
         RETURNING user_id, last_seq),
       numbered AS (
         SELECT i.user_id, b.last_seq - i.n + i.nth AS seq, i.batch_index FROM items i JOIN bumped b ON b.user_id = i.user_id),
       fresh AS (
         SELECT n.user_id, n.seq, f.type, f.family_id, f.event_id, f.alert_id, f.rag, now() AS created_at, n.batch_index
         FROM numbered n
         JOIN unnest($3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[]) WITH ORDINALITY
              AS f(type, family_id, event_id, alert_id, rag, ord) ON f.ord = n.batch_index + 1),
       written AS (
         INSERT INTO notifications (${COLUMNS}) SELECT ${COLUMNS} FROM fresh)
       SELECT ${COLUMNS}, batch_index FROM fresh ORDER BY batch_index, user_id`,
      [
        pairs.map(([user]) => user),
        pairs.map(([, index]) => index),
        batch.map((b) => b.fields.type),
        batch.map((b) => b.fields.familyId),
        batch.map((b) => b.fields.eventId),
        batch.map((b) => b.fields.alertId),
        batch.map((b) => b.fields.rag),
      ],
    );
  }

  /**
   * Up to `limit` of the user's notifications after `afterSeq`, in order. Read as the user (a
   * socket's resume runs outside any operation): the policies show nobody else's inbox.
   */
  since(userId: string, afterSeq: number, limit: number): Promise<NotificationRow[]> {
    return this.dataSource.transaction(async (manager) => {
      await actAsUser(manager, userId);
      return manager.query(
        `SELECT ${COLUMNS} FROM notifications
         WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [userId, afterSeq, limit],
      );
    });
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
   * user and sequence number: one query, an index range scan per user. Read on the system's
   * connections: the delivery sweep watches every user connected to the node.
   */
  after(watermarks: readonly { userId: string; afterSeq: number }[], limit: number): Promise<NotificationRow[]> {
    return this.system.query(
      `SELECT n.* FROM unnest($1::uuid[], $2::bigint[]) AS w(user_id, after_seq)
       CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM notifications
         WHERE user_id = w.user_id AND seq > w.after_seq ORDER BY seq LIMIT $3) n
       ORDER BY n.user_id, n.seq`,
      [watermarks.map((w) => w.userId), watermarks.map((w) => w.afterSeq), limit],
    );
  }

  /** Marks the user's notifications through `seq` delivered (those not marked yet), as the user. */
  async markDelivered(userId: string, seq: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await actAsUser(manager, userId);
      await manager.query(
        `UPDATE notifications SET delivered_at = now() WHERE user_id = $1 AND seq <= $2 AND delivered_at IS NULL`,
        [userId, seq],
      );
    });
  }
}
