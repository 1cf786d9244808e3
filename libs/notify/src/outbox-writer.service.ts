import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '@hearth/config';
import { UserRepository } from '@hearth/identity';
import { NotificationType, type Notified, type Notifying } from '@hearth/realtime';
import { OutboxRepository, type NewOutboxMessage } from './outbox.repository.js';
import { PreferenceRepository } from './preference.repository.js';
import { decide, severityOf, type Preferences } from './preferences.js';
import { WebhookEndpointRepository, type WebhookEndpointRow } from './webhook-endpoint.repository.js';

/** How long a message is retried before it is dead-lettered. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

export function idempotencyKey(userId: string, seq: number, channel: string, endpointId?: string): string {
  return ['hearth', userId, seq, channel.toLowerCase(), ...(endpointId ? [endpointId] : [])].join(':');
}

/** What the decisions need to know of their recipients. */
interface Recipients {
  readonly preferences: ReadonlyMap<string, Preferences>;
  /** The enabled endpoints of each recipient's agency (none for anyone when none is enabled). */
  readonly endpointsOf: ReadonlyMap<string, readonly WebhookEndpointRow[]>;
}

/**
 * Decides, inside the transaction that wrote the inbox notifications, what goes out on which
 * channel: one outbox row per recipient and channel. The rows commit or roll back with the
 * notifications, so nothing is sent for a rolled-back transaction.
 *
 * What it reads of the recipients (preferences, endpoints) it reads before the inbox locks their
 * counters (`realtime.notifying`): every other post to the same people waits on those locks until
 * this transaction commits, so only the outbox's write runs while they are held.
 */
@Injectable()
export class OutboxWriter {
  private readonly readAhead = new WeakMap<Notifying, Recipients>();

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly preferences: PreferenceRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly users: UserRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async notifying(manager: EntityManager, n: Notifying): Promise<void> {
    this.readAhead.set(n, await this.recipients(manager, n.userIds));
  }

  async notified(manager: EntityManager, n: Notified): Promise<void> {
    if (n.recipients.length === 0) return;
    const now = this.clock.now();
    const giveUpAt = new Date(now.getTime() + RETRY_WINDOW_MS);
    const isAlert = n.type === NotificationType.ALERT_RAISED || n.type === NotificationType.ALERT_UPDATED;
    const severity = severityOf(n.rag, isAlert);
    const userIds = n.recipients.map((r) => r.userId);
    const read = this.readAhead.get(n.notifying);
    const { preferences, endpointsOf } =
      read && userIds.every((id) => read.preferences.has(id)) ? read : await this.recipients(manager, userIds);
    const base = {
      type: n.type,
      familyId: n.familyId,
      eventId: n.eventId,
      alertId: n.alertId,
      rag: n.rag,
      giveUpAt,
    };
    const messages: NewOutboxMessage[] = [];
    for (const { userId, seq } of n.recipients) {
      const p = preferences.get(userId)!;
      const email = decide(p, p.emailFloor, severity, n.familyId, now);
      if (email.send || email.digest)
        messages.push({
          ...base,
          channel: 'EMAIL',
          userId,
          seq,
          endpointId: null,
          idempotencyKey: idempotencyKey(userId, seq, 'EMAIL'),
          status: email.send ? 'PENDING' : 'HELD',
          notBefore: email.send ? email.notBefore : now,
        });
      const endpoints = endpointsOf.get(userId) ?? [];
      if (endpoints.length === 0 || !decide(p, p.webhookFloor, severity, n.familyId, now).send) continue;
      for (const endpoint of endpoints)
        messages.push({
          ...base,
          channel: 'WEBHOOK',
          userId,
          seq,
          endpointId: endpoint.id,
          idempotencyKey: idempotencyKey(userId, seq, 'WEBHOOK', endpoint.id),
          status: 'PENDING',
          // An agency's system has no quiet hours: its own people decide what to do with it.
          notBefore: now,
        });
    }
    await this.outbox.insert(manager, messages);
  }

  private async recipients(manager: EntityManager, userIds: readonly string[]): Promise<Recipients> {
    const { preferences, anyWebhookEnabled } = await this.preferences.ofRecipients(manager, userIds);
    const endpointsOf = new Map<string, WebhookEndpointRow[]>();
    // Most partnerships have few endpoints: the recipients' agencies are looked up only when one is enabled.
    if (anyWebhookEnabled) {
      const contacts = await this.users.contacts(manager, userIds);
      const endpoints = await this.endpoints.enabledOf(manager, [...new Set(contacts.map((c) => c.agency_id))]);
      for (const { id, agency_id } of contacts)
        endpointsOf.set(
          id,
          endpoints.filter((e) => e.agency_id === agency_id),
        );
    }
    return { preferences, endpointsOf };
  }
}
