import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { OutboxRepository } from './outbox.repository.js';
import { PreferenceRepository } from './preference.repository.js';
import { DEFAULT_PREFERENCES } from './preferences.js';
import { WebhookEndpointRepository } from './webhook-endpoint.repository.js';

let db: TestDataSource;
let sql: SqlRecorder;

beforeAll(async () => {
  db = await createTestDataSource(1);
  sql = await createSqlRecorder(db.database.url);
});
afterAll(async () => {
  await sql.close();
  await db.close();
});

it('issues the statements committed in libs/notify/sql/notify.repository.sql', async () => {
  const outbox = new OutboxRepository();
  const preferences = new PreferenceRepository();
  const endpoints = new WebhookEndpointRepository();
  const m = sql.dataSource.manager;
  const id = randomUUID();
  const at = new Date('2026-01-01T00:00:00Z');
  await sql.record('PreferenceRepository.of', () => preferences.of(m, [id]));
  await sql.record('PreferenceRepository.save', () =>
    preferences.save(m, id, DEFAULT_PREFERENCES).catch(() => undefined),
  );
  await sql.record('WebhookEndpointRepository.ofAgency', () => endpoints.ofAgency(m, id));
  await sql.record('WebhookEndpointRepository.byIds', () => endpoints.byIds(m, [id]));
  await sql.record('WebhookEndpointRepository.enabledOf', () => endpoints.enabledOf(m, [id]));
  await sql.record('WebhookEndpointRepository.anyEnabled', () => endpoints.anyEnabled(m));
  await sql.record('WebhookEndpointRepository.setEnabled', () => endpoints.setEnabled(m, id, true));
  await sql.record('WebhookEndpointRepository.succeeded', () => endpoints.succeeded(m, id));
  await sql.record('WebhookEndpointRepository.failed', () => endpoints.failed(m, id, 10, at));
  // Unknown users and agencies: the statements are recorded, the foreign keys refuse them.
  const refused = () => undefined;
  await sql.record('WebhookEndpointRepository.create', () =>
    endpoints.create(m, id, 'https://example.test/hook', 'whsec_x', id).catch(refused),
  );
  await sql.record('OutboxRepository.insert', () =>
    outbox
      .insert(m, [
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
      ])
      .catch(refused),
  );
  await sql.record('OutboxRepository.insertDigest', () =>
    outbox.insertDigest(m, id, `hearth:${id}:digest:2026-01-01`, [id], 1, at, at).catch(refused),
  );
  await sql.record('OutboxRepository.claim', () => sql.dataSource.transaction((tx) => outbox.claim(tx, at, at, 10)));
  await sql.record('OutboxRepository.markSent', () => outbox.markSent(m, [id], at));
  await sql.record('OutboxRepository.markDropped', () => outbox.markDropped(m, [id]));
  await sql.record('OutboxRepository.markFailed', () => outbox.markFailed(m, id, 'HTTP 500', at));
  await sql.record('OutboxRepository.heldUsers', () => outbox.heldUsers(m));
  await sql.record('OutboxRepository.held', () => sql.dataSource.transaction((tx) => outbox.held(tx, id)));
  await sql.record('OutboxRepository.dead', () => outbox.dead(m, [id], 10));
  await sql.record('OutboxRepository.byId', () => outbox.byId(m, id));
  await sql.record('OutboxRepository.replay', () => outbox.replay(m, id, at, at));
  await sql.record('OutboxRepository.depth', () => outbox.depth(m, at));

  const { committed, current } = sql.compare(
    new URL('../sql/notify.repository.sql', import.meta.url),
    'libs/notify/src/notify.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
