import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { alertFacts } from '@hearth/alerts';
import { AuditAction, AuditLog, AuditOutcome } from '@hearth/audit';
import { CLOCK, HEARTH_CONFIG, type Clock, type HearthConfig } from '@hearth/config';
import { SYSTEM_DATA_SOURCE } from '@hearth/database';
import { UserRepository } from '@hearth/identity';
import { familyReferences } from '@hearth/network';
import { InboxService, type Delivery, type NotificationType } from '@hearth/realtime';
import { Mailer } from './mailer.js';
import { NotifyMetrics } from './notify-metrics.js';
import { emailContent, settingsLink, webhookPayload, type MessageFacts } from './outbound-message.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';
import { RETRY_WINDOW_MS } from './outbox-writer.service.js';
import { PreferenceRepository } from './preference.repository.js';
import { digestDue, localDate } from './preferences.js';
import { WebhookEndpointRepository, type WebhookEndpointRow } from './webhook-endpoint.repository.js';
import { WebhookSender } from './webhook-sender.js';

/** A claimed message is not claimed again for this long: a worker that died mid-send lets it go then. */
export const LEASE_MS = 2 * 60 * 1000;
/** An endpoint failing this many times in a row is disabled (its admin sees it, and re-enables it). */
export const ENDPOINT_FAILURE_LIMIT = 10;
const BATCH = 100;

/** Exponential backoff with jitter: 30 s, 1 min, 2 min … capped at an hour, each ×[0.5, 1). */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(30_000 * 2 ** Math.max(attempts - 1, 0), 60 * 60 * 1000);
  return Math.round(base * (0.5 + random() * 0.5));
}

export interface DrainResult {
  sent: number;
  failed: number;
  dropped: number;
}

/**
 * Sends what the outbox holds. Claims due messages (FOR UPDATE SKIP LOCKED, a lease instead of a
 * lock held across the network), asks the one audience whether each recipient may still be told
 * (a removed member's mail is dropped and audited), sends, and marks each message with its audit
 * entry. At least once: a message whose mark is lost is sent again with the same idempotency key.
 */
@Injectable()
export class OutboxWorker implements OnModuleDestroy {
  private readonly logger = new Logger('Outbox');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  random: () => number = Math.random;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SYSTEM_DATA_SOURCE) private readonly system: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly preferences: PreferenceRepository,
    private readonly users: UserRepository,
    private readonly inbox: InboxService,
    private readonly audit: AuditLog,
    private readonly mailer: Mailer,
    private readonly webhooks: WebhookSender,
    private readonly metrics: NotifyMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  start(intervalMs: number): void {
    if (this.timer) return;
    const loop = () => {
      this.running = this.tick()
        .catch((error: unknown) => this.logger.error({ err: error }, 'an outbox tick failed; the next one retries'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round: make the digests that are due, then send until nothing is due. */
  async tick(): Promise<DrainResult> {
    await this.digest();
    const total: DrainResult = { sent: 0, failed: 0, dropped: 0 };
    for (;;) {
      const result = await this.drain();
      total.sent += result.sent;
      total.failed += result.failed;
      total.dropped += result.dropped;
      if (result.sent + result.failed + result.dropped < BATCH) break;
    }
    await this.observe();
    return total;
  }

  /** Claims one batch of due messages and sends them. */
  async drain(limit = BATCH): Promise<DrainResult> {
    const now = this.clock.now();
    const claimed = await this.dataSource.transaction((m) =>
      this.outbox.claim(m, now, new Date(now.getTime() + LEASE_MS), limit),
    );
    const result: DrainResult = { sent: 0, failed: 0, dropped: 0 };
    if (claimed.length === 0) return result;

    const manager = this.dataSource.manager;
    const notifications = claimed.filter((row) => row.kind === 'NOTIFICATION');
    const stillAllowed = await this.allowedOf(notifications);
    const drop = notifications.filter((row) => !stillAllowed.has(row));
    const send = claimed.filter((row) => row.kind === 'DIGEST' || stillAllowed.has(row));
    if (drop.length > 0) {
      await this.dataSource.transaction(async (m) => {
        await this.outbox.markDropped(
          m,
          drop.map((r) => r.id),
        );
        for (const row of drop)
          await this.recordAudit(m, row, AuditOutcome.DENIED, 'the recipient may no longer be told');
      });
      for (const row of drop) this.metrics.dropped.inc({ channel: row.channel });
      result.dropped = drop.length;
    }

    const [families, alerts, contacts, endpoints] = await Promise.all([
      familyReferences(manager, unique(send.map((r) => r.family_id))),
      this.alertFactsOf(unique(send.map((r) => r.alert_id))),
      this.users.contacts(manager, unique(send.filter((r) => r.channel === 'EMAIL').map((r) => r.user_id))),
      this.endpoints.byIds(manager, unique(send.map((r) => r.endpoint_id))),
    ]);
    const emailOf = new Map(contacts.map((c) => [c.id, c.email]));
    const endpointById = new Map(endpoints.map((e) => [e.id, e]));
    const links = { publicUrl: this.config.publicUrl };

    const outcomes = await Promise.all(
      send.map(async (row) => {
        const alert = row.alert_id ? alerts.get(row.alert_id) : undefined;
        const facts: MessageFacts = {
          familyReference: row.family_id ? (families.get(row.family_id) ?? null) : null,
          ruleName: alert?.ruleName ?? null,
          dueBy: alert?.dueBy ?? null,
        };
        try {
          if (row.channel === 'EMAIL') {
            const to = emailOf.get(row.user_id);
            if (!to) throw new Error('the recipient has no address');
            await this.mailer.send({
              to,
              ...emailContent(row, facts, links),
              idempotencyKey: row.idempotency_key,
              unsubscribeUrl: settingsLink(links),
            });
          } else {
            const endpoint = endpointById.get(row.endpoint_id ?? '');
            if (!endpoint?.enabled) return { row, error: 'the endpoint is disabled', endpoint, final: true };
            await this.webhooks.send(
              endpoint.url,
              endpoint.secret,
              row.idempotency_key,
              webhookPayload(row, facts, links, this.clock.now()),
              this.clock.now(),
            );
          }
          return { row, error: null, endpoint: endpointById.get(row.endpoint_id ?? ''), final: false };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return { row, error: message, endpoint: endpointById.get(row.endpoint_id ?? ''), final: false };
        }
      }),
    );

    const done = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      const sent = outcomes.filter((o) => o.error === null).map((o) => o.row);
      await this.outbox.markSent(
        m,
        sent.map((r) => r.id),
        done,
      );
      for (const row of sent) await this.recordAudit(m, row, AuditOutcome.ALLOWED, null);
      for (const endpointId of unique(sent.map((r) => r.endpoint_id))) await this.endpoints.succeeded(m, endpointId);
      for (const outcome of outcomes) {
        if (outcome.error === null) continue;
        const { row } = outcome;
        const retryAt = new Date(done.getTime() + retryDelayMs(row.attempts, this.random));
        await this.outbox.markFailed(
          m,
          row.id,
          outcome.error,
          outcome.final || retryAt > row.give_up_at ? null : retryAt,
        );
        if (row.endpoint_id && !outcome.final) await this.endpointFailed(m, outcome.endpoint, done);
      }
    });
    for (const { row, error } of outcomes) {
      if (error === null) {
        this.metrics.sent.inc({ channel: row.channel });
        result.sent += 1;
      } else {
        this.metrics.failed.inc({ channel: row.channel });
        this.logger.warn(`outbound ${row.channel.toLowerCase()} ${row.id} failed (attempt ${row.attempts}): ${error}`);
        result.failed += 1;
      }
    }
    return result;
  }

  /**
   * Gathers each user's held messages into one digest email once their digest time has passed
   * (one per local day: the digest's key is the user and the date).
   */
  async digest(): Promise<number> {
    const now = this.clock.now();
    const userIds = await this.outbox.heldUsers(this.dataSource.manager);
    if (userIds.length === 0) return 0;
    const preferences = await this.preferences.of(this.dataSource.manager, userIds);
    let made = 0;
    for (const userId of userIds) {
      const p = preferences.get(userId)!;
      if (!digestDue(p, now)) continue;
      await this.dataSource.transaction(async (m) => {
        const held = await this.outbox.held(m, userId);
        if (held.length === 0) return;
        const allowed = await this.allowedOf(held);
        const gone = held.filter((r) => !allowed.has(r));
        const kept = held.filter((r) => allowed.has(r));
        await this.outbox.markDropped(
          m,
          gone.map((r) => r.id),
        );
        for (const row of gone)
          await this.recordAudit(m, row, AuditOutcome.DENIED, 'the recipient may no longer be told');
        if (kept.length === 0) return;
        const key = `hearth:${userId}:digest:${localDate(now, p.timeZone)}`;
        const id = await this.outbox.insertDigest(
          m,
          userId,
          key,
          kept.map((r) => r.id),
          kept.length,
          now,
          new Date(now.getTime() + RETRY_WINDOW_MS),
        );
        if (id) made += 1;
      });
    }
    return made;
  }

  /** The rows whose recipient the one audience still allows to be told of their notification now. */
  private async allowedOf(rows: readonly OutboxRow[]): Promise<Set<OutboxRow>> {
    const deliveries = rows.map(toDelivery);
    const allowed = new Set(await this.inbox.stillAllowed(deliveries));
    return new Set(rows.filter((_, i) => allowed.has(deliveries[i]!)));
  }

  /** The alerts of every family of the batch: the system's read. */
  private alertFactsOf(alertIds: readonly string[]): ReturnType<typeof alertFacts> {
    return alertFacts(this.system.manager, alertIds);
  }

  private async observe(): Promise<void> {
    const { pending, oldestDueSeconds } = await this.outbox.depth(this.dataSource.manager, this.clock.now());
    this.metrics.depth.set(pending);
    this.metrics.oldestDueSeconds.set(oldestDueSeconds);
  }

  private async endpointFailed(m: EntityManager, endpoint: WebhookEndpointRow | undefined, now: Date): Promise<void> {
    if (!endpoint) return;
    const disabled = await this.endpoints.failed(m, endpoint.id, ENDPOINT_FAILURE_LIMIT, now);
    if (!disabled) return;
    this.logger.warn(`webhook endpoint ${endpoint.id} disabled after ${ENDPOINT_FAILURE_LIMIT} failures in a row`);
    await this.audit.record(m, {
      action: AuditAction.DISABLE,
      actor: null,
      subjectType: 'WebhookEndpoint',
      subjectId: endpoint.id,
      reason: `${ENDPOINT_FAILURE_LIMIT} failed deliveries in a row`,
      detail: { agencyId: endpoint.agency_id },
    });
  }

  /** One entry per send or drop: identifiers only. */
  private recordAudit(m: EntityManager, row: OutboxRow, outcome: AuditOutcome, reason: string | null) {
    return this.audit.record(m, {
      action: AuditAction.CREATE,
      outcome,
      actor: null,
      subjectType: 'OutboundMessage',
      subjectId: row.id,
      familyId: row.family_id,
      reason,
      detail: {
        channel: row.channel,
        kind: row.kind,
        recipientId: row.user_id,
        endpointId: row.endpoint_id,
        notificationSeq: row.notification_seq,
        type: row.type,
        rag: row.rag,
        attempt: row.attempts,
        idempotencyKey: row.idempotency_key,
      },
    });
  }
}

/** The audience judges an outbox row as the inbox notification it came from. */
function toDelivery(row: OutboxRow): Delivery {
  return {
    userId: row.user_id,
    payload: {
      seq: Number(row.notification_seq ?? 0),
      type: row.type as NotificationType,
      familyId: row.family_id,
      ...(row.event_id ? { eventId: row.event_id } : {}),
      ...(row.alert_id ? { alertId: row.alert_id } : {}),
      ...(row.rag ? { rag: row.rag } : {}),
      at: row.created_at.toISOString(),
    },
  };
}

function unique(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}
