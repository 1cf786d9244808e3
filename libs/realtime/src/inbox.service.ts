import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { actAsUser, DomainEvents, SYSTEM_DATA_SOURCE } from '@hearth/database';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { Principal } from '@hearth/authz';
import { DOORBELL, type Delivery, type Doorbell } from './doorbell.js';
import { NOTIFICATION_AUDIENCE, type NotificationAudience } from './notification-audience.js';
import { NotificationType, type NotificationModel, type NotificationPayload } from './notification.model.js';
import './realtime.events.js';
import { NotificationRepository, type NotificationFields, type NotificationRow } from './notification.repository.js';

/** Notifications decided in a transaction, waiting to be written just before it commits. */
interface Queued {
  readonly users: readonly string[];
  readonly fields: NotificationFields;
}

export interface NewNotification {
  readonly type: NotificationType;
  readonly familyId: string | null;
  readonly eventId?: string | null;
  readonly alertId?: string | null;
  readonly rag?: string | null;
}

export function toPayload(row: NotificationRow): NotificationPayload {
  return {
    seq: row.seq,
    type: row.type,
    familyId: row.family_id,
    ...(row.event_id ? { eventId: row.event_id } : {}),
    ...(row.alert_id ? { alertId: row.alert_id } : {}),
    ...(row.rag ? { rag: row.rag } : {}),
    at: row.created_at.toISOString(),
  };
}

/** A page of the inbox: what the user may still see, and the last sequence number looked at. */
export interface InboxPage {
  readonly notifications: NotificationPayload[];
  readonly scannedThrough: number;
  readonly more: boolean;
}

/**
 * The durable per-user inbox. Notifications are written in the transaction that decides them,
 * numbered by a per-user sequence, and handed to the socket layer only after that transaction
 * commits; a client that was away resumes from its last sequence number. Every way out — the
 * decision, the push, the replay, the inbox query — asks the one audience whether the user may
 * be told now.
 */
@Injectable()
export class InboxService {
  private readonly logger = new Logger('Inbox');
  private readonly pending = new WeakMap<QueryRunner, Queued[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SYSTEM_DATA_SOURCE) private readonly system: DataSource,
    private readonly events: DomainEvents,
    private readonly notifications: NotificationRepository,
    @Inject(NOTIFICATION_AUDIENCE) private readonly audience: NotificationAudience,
    @Optional() @Inject(DOORBELL) private readonly doorbell?: Doorbell,
  ) {}

  /**
   * Writes one notification per recipient who may be told of it now (each gets their next
   * sequence number); candidates outside its audience get nothing. Returns who was told.
   *
   * Who may be told is decided at once; the rows are written just before the transaction
   * commits, all of its notifications in one statement that takes the recipients' counters in
   * ascending user order. A counter is then locked for the commit only, not for the rest of the
   * transaction, and two transactions always take the counters they share in the same order, so
   * they cannot deadlock. Sequence numbers still follow commit order for each user.
   */
  async enqueue(
    manager: EntityManager,
    candidates: readonly string[],
    notification: NewNotification,
  ): Promise<string[]> {
    const unique = [...new Set(candidates)].sort();
    if (unique.length === 0) return [];
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('InboxService.enqueue needs a transaction');
    const allowed = await this.audience.allowed(
      manager,
      unique.map((userId) => ({ userId, subject: notification })),
    );
    const users = unique.filter((_, i) => allowed[i]);
    if (users.length === 0) return [];
    const queued: Queued = {
      users,
      fields: {
        type: notification.type,
        familyId: notification.familyId,
        eventId: notification.eventId ?? null,
        alertId: notification.alertId ?? null,
        rag: notification.rag ?? null,
      },
    };
    // Dropped by the bus with a savepoint that rolls back; otherwise gathered at commit time.
    this.events.beforeCommit(manager, (m) => this.gather(m, runner, queued));
    return users;
  }

  /**
   * Just before commit, each notification the transaction kept joins one batch; the first one
   * queues the batch's write, which so runs after all of them.
   */
  private gather(manager: EntityManager, runner: QueryRunner, queued: Queued): void {
    const batch = this.pending.get(runner);
    if (batch) {
      batch.push(queued);
      return;
    }
    const started = [queued];
    this.pending.set(runner, started);
    this.events.beforeCommit(manager, (m) => this.write(m, runner, started));
  }

  /**
   * The transaction's notifications, numbered; rung once it has committed. Their handlers read
   * what they need before the counters are locked (`realtime.notifying`), and write after.
   */
  private async write(manager: EntityManager, runner: QueryRunner, batch: readonly Queued[]): Promise<void> {
    this.pending.delete(runner);
    const notifying = { userIds: [...new Set(batch.flatMap((queued) => queued.users))] };
    await this.events.publish(manager, 'realtime.notifying', notifying);
    const rows = await this.notifications.insertForUsers(manager, batch);
    const deliveries = rows.map((row) => ({ userId: row.user_id, payload: toPayload(row) }));
    // The doorbell rings once the transaction has committed, never after a rollback.
    this.events.afterCommit(manager, () => this.ring(deliveries));
    for (const [index, { fields }] of batch.entries()) {
      await this.events.publish(manager, 'realtime.notified', {
        ...fields,
        recipients: rows
          .filter((row) => row.batch_index === index)
          .map((row) => ({ userId: row.user_id, seq: Number(row.seq) })),
        notifying,
      });
    }
  }

  /**
   * The deliveries whose user may still be told now: checked again just before a push, for every
   * user of the batch at once (a push after commit, the delivery sweep, the outbox). Asked on the
   * system's connections, each statement on its own: nothing waits for a transaction around them.
   */
  async stillAllowed(deliveries: readonly Delivery[]): Promise<Delivery[]> {
    if (deliveries.length === 0) return [];
    return this.allowedIn(this.system.manager, deliveries);
  }

  /** The same for one user's deliveries, asked as that user (a replay, an inbox read). */
  private async stillAllowedFor(userId: string, deliveries: readonly Delivery[]): Promise<Delivery[]> {
    if (deliveries.length === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      await actAsUser(manager, userId);
      return this.allowedIn(manager, deliveries);
    });
  }

  private async allowedIn(manager: EntityManager, deliveries: readonly Delivery[]): Promise<Delivery[]> {
    const allowed = await this.audience.allowed(
      manager,
      deliveries.map((d) => ({ userId: d.userId, subject: d.payload })),
    );
    return deliveries.filter((_, i) => allowed[i]);
  }

  /**
   * After commit: the doorbell rings for the deliveries whose user may still be told now (asked
   * of the database again, so a removal, role change or review committed since the decision wins;
   * a socket's principal from its handshake is never trusted for it). It does not hold up the
   * request: the check and the push happen on their own connection.
   */
  private ring(deliveries: readonly Delivery[]): void {
    const doorbell = this.doorbell;
    if (deliveries.length === 0 || !doorbell) return;
    void this.stillAllowed(deliveries).then(
      (allowed) => doorbell.ring(allowed),
      (error: unknown) => this.logger.error({ err: error }, 'could not check who may be told; the inbox keeps them'),
    );
  }

  /**
   * What the user missed after `afterSeq`, in order, that they may still be told of now: a
   * notification about a family they no longer relate to, or a reply they may no longer read, is
   * not replayed. Looks at up to `limit` stored notifications.
   */
  async since(principal: Principal, afterSeq: number, limit: number): Promise<InboxPage> {
    const rows = await this.notifications.since(principal.userId, afterSeq, limit);
    const deliveries = rows.map((row) => ({ userId: row.user_id, payload: toPayload(row) }));
    const allowed = await this.stillAllowedFor(principal.userId, deliveries);
    return {
      notifications: allowed.map((d) => d.payload),
      scannedThrough: rows.at(-1)?.seq ?? afterSeq,
      more: rows.length === limit,
    };
  }

  async markDelivered(userId: string, seq: number): Promise<void> {
    await this.notifications.markDelivered(userId, seq);
  }

  toModel(payload: NotificationPayload): NotificationModel {
    return {
      seq: payload.seq,
      type: payload.type,
      familyId: payload.familyId,
      eventId: payload.eventId ?? null,
      alertId: payload.alertId ?? null,
      rag: payload.rag ?? null,
      at: new Date(payload.at),
    };
  }
}
