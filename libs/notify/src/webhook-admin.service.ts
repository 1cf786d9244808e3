import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AuditAction, AuditLog } from '@hearth/audit';
import type { Principal } from '@hearth/authz';
import { CLOCK, HEARTH_CONFIG, type Clock, type HearthConfig } from '@hearth/config';
import { notFound, validate } from '@hearth/errors';
import type { RegisteredWebhookEndpointModel, WebhookDeadLetterModel, WebhookEndpointModel } from './notify.models.js';
import { OutboxRepository, type OutboxRow } from './outbox.repository.js';
import { RETRY_WINDOW_MS } from './outbox-writer.service.js';
import { WebhookEndpointRepository, type WebhookEndpointRow } from './webhook-endpoint.repository.js';
import { newWebhookSecret } from './webhook-signature.js';

const id = z.uuid({ error: 'must be an id' });
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function toEndpointModel(row: WebhookEndpointRow): WebhookEndpointModel {
  return {
    id: row.id,
    url: row.url,
    enabled: row.enabled,
    consecutiveFailures: row.consecutive_failures,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
  };
}

function toDeadLetter(row: OutboxRow): WebhookDeadLetterModel {
  return {
    id: row.id,
    endpointId: row.endpoint_id!,
    idempotencyKey: row.idempotency_key,
    notificationType: row.type,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

/**
 * An agency admin's webhook endpoints: only their own agency's, and another agency's endpoint or
 * dead letter is NOT_FOUND, exactly like one that does not exist.
 */
@Injectable()
export class WebhookAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  async register(principal: Principal, urlInput: string): Promise<RegisteredWebhookEndpointModel> {
    const production = this.config.nodeEnv === 'production';
    const url = validate(
      z
        .string()
        .max(2000)
        .refine((v) => URL.canParse(v), { error: 'must be a URL' })
        .refine(
          (v) => {
            const u = new URL(v);
            // HTTPS only; plain HTTP to this machine is allowed outside production (local receivers, tests).
            return u.protocol === 'https:' || (!production && u.protocol === 'http:' && LOOPBACK.has(u.hostname));
          },
          { error: 'must be an https:// URL' },
        )
        .refine((v) => !new URL(v).username && !new URL(v).password, { error: 'must not carry credentials' }),
      urlInput,
    );
    const secret = newWebhookSecret();
    return this.dataSource.transaction(async (manager) => {
      const row = await this.endpoints.create(manager, principal.agencyId, url, secret, principal.userId);
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'WebhookEndpoint',
        subjectId: row.id,
        detail: { agencyId: principal.agencyId, host: new URL(url).host },
      });
      return { endpoint: toEndpointModel(row), secret };
    });
  }

  async list(principal: Principal): Promise<WebhookEndpointModel[]> {
    return (await this.endpoints.ofAgency(this.dataSource.manager, principal.agencyId)).map(toEndpointModel);
  }

  async setEnabled(principal: Principal, idInput: string, enabled: boolean): Promise<WebhookEndpointModel> {
    const endpointId = validate(id, idInput);
    return this.dataSource.transaction(async (manager) => {
      await this.ownEndpoint(principal, endpointId);
      await this.endpoints.setEnabled(manager, endpointId, enabled);
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'WebhookEndpoint',
        subjectId: endpointId,
        detail: { enabled },
      });
      const [row] = await this.endpoints.byIds(manager, [endpointId]);
      return toEndpointModel(row!);
    });
  }

  async deadLetters(
    principal: Principal,
    endpointIdInput: string | null,
    first: number,
  ): Promise<WebhookDeadLetterModel[]> {
    const own = await this.endpoints.ofAgency(this.dataSource.manager, principal.agencyId);
    const endpointIds = endpointIdInput
      ? own.filter((e) => e.id === validate(id, endpointIdInput)).map((e) => e.id)
      : own.map((e) => e.id);
    const rows = await this.outbox.dead(this.dataSource.manager, endpointIds, Math.min(Math.max(first, 1), 100));
    return rows.map(toDeadLetter);
  }

  /** Puts a dead letter back in the queue, with the same webhook-id, for another 24 hours of retries. */
  async replay(principal: Principal, idInput: string): Promise<WebhookDeadLetterModel> {
    const messageId = validate(id, idInput);
    return this.dataSource.transaction(async (manager) => {
      const row = await this.outbox.byId(manager, messageId);
      if (!row?.endpoint_id || row.status !== 'DEAD') throw notFound();
      await this.ownEndpoint(principal, row.endpoint_id);
      const now = this.clock.now();
      await this.outbox.replay(manager, messageId, now, new Date(now.getTime() + RETRY_WINDOW_MS));
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'OutboundMessage',
        subjectId: messageId,
        familyId: row.family_id,
        reason: 'replayed from the dead letters',
        detail: { endpointId: row.endpoint_id },
      });
      return toDeadLetter(row);
    });
  }

  private async ownEndpoint(principal: Principal, endpointId: string): Promise<WebhookEndpointRow> {
    const [row] = await this.endpoints.byIds(this.dataSource.manager, [endpointId]);
    if (!row || row.agency_id !== principal.agencyId) throw notFound();
    return row;
  }
}
