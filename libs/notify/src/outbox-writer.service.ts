import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '@hearth/config';
import { UserRepository } from '@hearth/identity';
import { NotificationType, type Notified } from '@hearth/realtime';
import { OutboxRepository, type NewOutboxMessage } from './outbox.repository.js';
import { PreferenceRepository } from './preference.repository.js';
import { decide, severityOf } from './preferences.js';
import { WebhookEndpointRepository } from './webhook-endpoint.repository.js';

/** How long a message is retried before it is dead-lettered. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

export function idempotencyKey(userId: string, seq: number, channel: string, endpointId?: string): string {
  return ['hearth', userId, seq, channel.toLowerCase(), ...(endpointId ? [endpointId] : [])].join(':');
}

/**
 * Decides, inside the transaction that wrote the inbox notifications, what goes out on which
 * channel: one outbox row per recipient and channel. The rows commit or roll back with the
 * notifications, so nothing is sent for a rolled-back transaction.
 */
@Injectable()
export class OutboxWriter {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly preferences: PreferenceRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly users: UserRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async notified(manager: EntityManager, n: Notified): Promise<void> {
    if (n.recipients.length === 0) return;
    const now = this.clock.now();
    const giveUpAt = new Date(now.getTime() + RETRY_WINDOW_MS);
    const isAlert = n.type === NotificationType.ALERT_RAISED || n.type === NotificationType.ALERT_UPDATED;
    const severity = severityOf(n.rag, isAlert);
    const userIds = n.recipients.map((r) => r.userId);
    const preferences = await this.preferences.of(manager, userIds);
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
      const decision = decide(p, p.emailFloor, severity, n.familyId, now);
      if (decision.send || decision.digest)
        messages.push({
          ...base,
          channel: 'EMAIL',
          userId,
          seq,
          endpointId: null,
          idempotencyKey: idempotencyKey(userId, seq, 'EMAIL'),
          status: decision.send ? 'PENDING' : 'HELD',
          notBefore: decision.send ? decision.notBefore : now,
        });
    }
    // Most partnerships have few endpoints: one cheap look before finding the recipients' agencies.
    if (await this.endpoints.anyEnabled(manager)) {
      const contacts = await this.users.contacts(manager, userIds);
      const agencyOf = new Map(contacts.map((c) => [c.id, c.agency_id]));
      const endpoints = await this.endpoints.enabledOf(manager, [...new Set(agencyOf.values())]);
      for (const { userId, seq } of n.recipients) {
        const p = preferences.get(userId)!;
        const decision = decide(p, p.webhookFloor, severity, n.familyId, now);
        if (!decision.send) continue;
        for (const endpoint of endpoints.filter((e) => e.agency_id === agencyOf.get(userId)))
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
    }
    await this.outbox.insert(manager, messages);
  }
}
