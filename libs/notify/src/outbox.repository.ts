import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedQuery, updateReturning } from '@hearth/database';

export type Channel = 'EMAIL' | 'WEBHOOK';
export type OutboxStatus = 'PENDING' | 'HELD' | 'SENT' | 'DROPPED' | 'DEAD' | 'DIGESTED';

/** A decision to send, as written in the deciding transaction. */
export interface NewOutboxMessage {
  readonly channel: Channel;
  readonly userId: string;
  readonly endpointId: string | null;
  readonly seq: number;
  readonly type: string;
  readonly familyId: string | null;
  readonly eventId: string | null;
  readonly alertId: string | null;
  readonly rag: string | null;
  readonly idempotencyKey: string;
  readonly status: 'PENDING' | 'HELD';
  readonly notBefore: Date;
  readonly giveUpAt: Date;
}

export interface OutboxRow {
  id: string;
  channel: Channel;
  kind: 'NOTIFICATION' | 'DIGEST';
  user_id: string;
  endpoint_id: string | null;
  notification_seq: string | null;
  type: string | null;
  family_id: string | null;
  event_id: string | null;
  alert_id: string | null;
  rag: string | null;
  idempotency_key: string;
  status: OutboxStatus;
  not_before: Date;
  give_up_at: Date;
  attempts: number;
  last_error: string | null;
  item_count: number | null;
  created_at: Date;
  sent_at: Date | null;
}

const COLUMNS = `id, channel, kind, user_id, endpoint_id, notification_seq, type, family_id, event_id, alert_id, rag,
  idempotency_key, status, not_before, give_up_at, attempts, last_error, item_count, created_at, sent_at`;

@Injectable()
export class OutboxRepository {
  /** One statement for the whole batch; a key already there (a replayed decision) is skipped. */
  async insert(manager: EntityManager, messages: readonly NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const col = <T>(pick: (m: NewOutboxMessage) => T) => messages.map(pick);
    await preparedQuery(
      manager,
      `INSERT INTO outbox_messages (channel, kind, user_id, endpoint_id, notification_seq, type, family_id, event_id,
         alert_id, rag, idempotency_key, status, not_before, give_up_at)
       SELECT channel, 'NOTIFICATION', user_id, endpoint_id, seq, type, family_id, event_id, alert_id, rag, key, status,
         not_before, give_up_at
       FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[],
         $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[])
         AS m(channel, user_id, endpoint_id, seq, type, family_id, event_id, alert_id, rag, key, status, not_before, give_up_at)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        col((m) => m.channel),
        col((m) => m.userId),
        col((m) => m.endpointId),
        col((m) => m.seq),
        col((m) => m.type),
        col((m) => m.familyId),
        col((m) => m.eventId),
        col((m) => m.alertId),
        col((m) => m.rag),
        col((m) => m.idempotencyKey),
        col((m) => m.status),
        col((m) => m.notBefore.toISOString()),
        col((m) => m.giveUpAt.toISOString()),
      ],
    );
  }

  /**
   * Claims up to `limit` due messages for `leaseUntil`: they stay PENDING but are not due again
   * until then, so a worker that dies mid-send leaves them to be sent again (same idempotency
   * key). SKIP LOCKED lets several workers claim side by side.
   */
  async claim(manager: EntityManager, now: Date, leaseUntil: Date, limit: number): Promise<OutboxRow[]> {
    return updateReturning<OutboxRow>(
      manager,
      `UPDATE outbox_messages o SET not_before = $2, attempts = o.attempts + 1
       FROM (SELECT id FROM outbox_messages WHERE status = 'PENDING' AND not_before <= $1
             ORDER BY not_before LIMIT $3 FOR UPDATE SKIP LOCKED) due
       WHERE o.id = due.id
       RETURNING ${COLUMNS.split(',')
         .map((c) => `o.${c.trim()}`)
         .join(', ')}`,
      [now, leaseUntil, limit],
    );
  }

  async markSent(manager: EntityManager, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE outbox_messages SET status = 'SENT', sent_at = $2, last_error = NULL WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`,
      [ids, now],
    );
  }

  async markDropped(manager: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE outbox_messages SET status = 'DROPPED' WHERE id = ANY($1::uuid[]) AND status IN ('PENDING','HELD')`,
      [ids],
    );
  }

  /** A failed attempt: retried at `retryAt`, or dead-lettered when that is past its deadline. */
  async markFailed(manager: EntityManager, id: string, error: string, retryAt: Date | null): Promise<void> {
    await manager.query(
      `UPDATE outbox_messages SET last_error = $2, status = CASE WHEN $3::timestamptz IS NULL THEN 'DEAD' ELSE status END,
         not_before = COALESCE($3::timestamptz, not_before) WHERE id = $1 AND status = 'PENDING'`,
      [id, error.slice(0, 500), retryAt],
    );
  }

  /** Users with notifications held for their digest. */
  async heldUsers(manager: EntityManager): Promise<string[]> {
    const rows: { user_id: string }[] = await manager.query(
      `SELECT DISTINCT user_id FROM outbox_messages WHERE status = 'HELD'`,
    );
    return rows.map((r) => r.user_id);
  }

  async held(manager: EntityManager, userId: string): Promise<OutboxRow[]> {
    return manager.query(
      `SELECT ${COLUMNS} FROM outbox_messages WHERE user_id = $1 AND status = 'HELD' ORDER BY created_at, id FOR UPDATE SKIP LOCKED`,
      [userId],
    );
  }

  /** The digest of `items` as one email; null when this key was already used (today's digest went). */
  async insertDigest(
    manager: EntityManager,
    userId: string,
    key: string,
    itemIds: readonly string[],
    count: number,
    now: Date,
    giveUpAt: Date,
  ): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO outbox_messages (channel, kind, user_id, idempotency_key, status, not_before, give_up_at, item_count)
       VALUES ('EMAIL', 'DIGEST', $1, $2, 'PENDING', $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [userId, key, now, giveUpAt, count],
    );
    const id = rows[0]?.id ?? null;
    if (id)
      await manager.query(
        `UPDATE outbox_messages SET status = 'DIGESTED', digest_id = $2 WHERE id = ANY($1::uuid[]) AND status = 'HELD'`,
        [itemIds, id],
      );
    return id;
  }

  async dead(manager: EntityManager, endpointIds: readonly string[], limit: number): Promise<OutboxRow[]> {
    if (endpointIds.length === 0) return [];
    return manager.query(
      `SELECT ${COLUMNS} FROM outbox_messages WHERE endpoint_id = ANY($1::uuid[]) AND status = 'DEAD'
       ORDER BY created_at DESC, id LIMIT $2`,
      [endpointIds, limit],
    );
  }

  async byId(manager: EntityManager, id: string): Promise<OutboxRow | undefined> {
    const rows: OutboxRow[] = await manager.query(`SELECT ${COLUMNS} FROM outbox_messages WHERE id = $1`, [id]);
    return rows[0];
  }

  /** A dead letter back in the queue, with a fresh window of retries. */
  async replay(manager: EntityManager, id: string, now: Date, giveUpAt: Date): Promise<void> {
    await manager.query(
      `UPDATE outbox_messages SET status = 'PENDING', not_before = $2, give_up_at = $3, attempts = 0, last_error = NULL
       WHERE id = $1 AND status = 'DEAD'`,
      [id, now, giveUpAt],
    );
  }

  /** Outbox depth (pending, due or not) and the age in seconds of the oldest message that is due. */
  async depth(manager: EntityManager, now: Date): Promise<{ pending: number; oldestDueSeconds: number }> {
    const rows: { pending: string; oldest: Date | null }[] = await manager.query(
      `SELECT count(*) AS pending, min(created_at) FILTER (WHERE not_before <= $1) AS oldest
       FROM outbox_messages WHERE status = 'PENDING'`,
      [now],
    );
    const row = rows[0];
    return {
      pending: Number(row?.pending ?? 0),
      oldestDueSeconds: row?.oldest ? Math.max(0, (now.getTime() - row.oldest.getTime()) / 1000) : 0,
    };
  }
}
