import { randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { OutboxRepository } from './outbox.repository.js';
import { PreferenceRepository } from './preference.repository.js';
import { DEFAULT_PREFERENCES } from './preferences.js';
import { WebhookEndpointRepository } from './webhook-endpoint.repository.js';

describeRepositorySql(import.meta.url, {
  'notify.repository': async ({ sql, record, inTransaction, refused }) => {
    const outbox = new OutboxRepository();
    const preferences = new PreferenceRepository();
    const endpoints = new WebhookEndpointRepository();
    const m = sql.dataSource.manager;
    const id = randomUUID();
    const at = new Date('2026-01-01T00:00:00Z');
    await record('PreferenceRepository.of', () => preferences.of(m, [id]));
    await record('PreferenceRepository.ofRecipients', () => preferences.ofRecipients(m, [id]));
    // Unknown users and agencies: the statements are recorded, the foreign keys refuse them.
    await refused('PreferenceRepository.save', (tx) => preferences.save(tx, id, DEFAULT_PREFERENCES));
    await record('WebhookEndpointRepository.ofAgency', () => endpoints.ofAgency(m, id));
    await record('WebhookEndpointRepository.byIds', () => endpoints.byIds(m, [id]));
    await record('WebhookEndpointRepository.enabledOf', () => endpoints.enabledOf(m, [id]));
    await record('WebhookEndpointRepository.setEnabled', () => endpoints.setEnabled(m, id, true));
    await record('WebhookEndpointRepository.succeeded', () => endpoints.succeeded(m, id));
    await record('WebhookEndpointRepository.failed', () => endpoints.failed(m, id, 10, at));
    await refused('WebhookEndpointRepository.create', (tx) =>
      endpoints.create(tx, id, 'https://example.test/hook', 'whsec_x', id),
    );
    await refused('OutboxRepository.insert', (tx) =>
      outbox.insert(tx, [
        {
          channel: 'EMAIL',
          userId: id,
          endpointId: null,
          seq: 1,
          type: 'EVENT_POSTED',
          familyId: null,
          eventId: null,
          alertId: null,
          rag: null,
          idempotencyKey: `hearth:${id}:1:email`,
          status: 'PENDING',
          notBefore: at,
          giveUpAt: at,
        },
      ]),
    );
    await refused('OutboxRepository.insertDigest', (tx) =>
      outbox.insertDigest(tx, id, `hearth:${id}:digest:2026-01-01`, [id], 1, at, at),
    );
    await inTransaction('OutboxRepository.claim', (tx) => outbox.claim(tx, at, at, 10));
    await record('OutboxRepository.markSent', () => outbox.markSent(m, [id], at));
    await record('OutboxRepository.markDropped', () => outbox.markDropped(m, [id]));
    await record('OutboxRepository.markFailed', () => outbox.markFailed(m, id, 'HTTP 500', at));
    await record('OutboxRepository.heldUsers', () => outbox.heldUsers(m));
    await inTransaction('OutboxRepository.held', (tx) => outbox.held(tx, id));
    await record('OutboxRepository.dead', () => outbox.dead(m, [id], 10));
    await record('OutboxRepository.byId', () => outbox.byId(m, id));
    await record('OutboxRepository.replay', () => outbox.replay(m, id, at, at));
    await record('OutboxRepository.depth', () => outbox.depth(m, at));
  },
});
