import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTestSettings } from '@hearth/config';
import { connectSocket, eventually, type TestSocket } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import { compiled, printed, spawnNode } from './support/process.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const WORKER = compiled('apps/worker/src/main.js');

/*
 * The production shape: API nodes that run no scheduled work (HEARTH_RUN_WORKER=false) and a
 * worker process that does. A RED alert nobody acknowledged escalates in the worker, and the
 * manager's socket on the API node hears it through the socket.io emitter over the adapter.
 */
describe.each(['postgres', 'redis'] as const)('the worker escalates over the %s adapter', (adapter) => {
  const redisUrl = readTestSettings().redisUrl;
  if (adapter === 'redis' && !redisUrl) {
    it('has no Redis to try: REDIS_URL is not set, so only the PostgreSQL adapter runs here', () => {
      process.stdout.write('REDIS_URL is not set: the Redis case of the worker test did not run\n');
      expect(redisUrl).toBeUndefined();
    });
    return;
  }

  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  let dataDir: string;
  const sockets: TestSocket[] = [];
  const env = {
    HEARTH_RUN_WORKER: 'false',
    HEARTH_SOCKET_ADAPTER: adapter,
    ...(adapter === 'redis' && redisUrl ? { REDIS_URL: redisUrl } : {}),
  };

  beforeAll(async () => {
    app = await startTestApp(env);
    ({ sessions: as, families } = await demoWorld(app));
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-worker-'));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('escalates a RED alert past its deadline to the manager, live on the API node', async () => {
    const familyId = families['NS-2026-0157']!;
    const { rows: babies } = await query<{ id: string }>(
      app,
      `SELECT p.id FROM persons p JOIN family_memberships fm ON fm.person_id = p.id
       WHERE fm.family_id = $1 AND fm.role = 'CHILD'`,
      [familyId],
    );
    const mia = await connectSocket(app.url, as['mia.manager'].accessToken);
    sockets.push(mia);

    // CP-IS: unscheduled care for a child on a plan raises RED to the lead (sam, whose manager is mia).
    await app.gqlData({
      query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
      variables: {
        input: {
          familyId,
          kind: 'UNSCHEDULED_CARE_ATTENDANCE',
          severity: 'HIGH',
          occurredAt: new Date().toISOString(),
          summary: 'Seen in A&E overnight',
          subjectIds: babies.map((b) => b.id),
        },
      },
      token: as['hal.health'].accessToken,
    });
    const { rows: raised } = await query<{ id: string; status: string }>(
      app,
      `SELECT id, status FROM alerts WHERE family_id = $1 AND rag = 'RED' ORDER BY raised_at DESC LIMIT 1`,
      [familyId],
    );
    const alert = raised[0]!;
    expect(alert.status).toBe('OPEN');
    await query(app, `UPDATE alerts SET due_by = now() - interval '1 second' WHERE id = $1`, [alert.id]);
    // The API node runs no scheduler: the alert is still open until a worker runs.
    expect(
      (await query<{ status: string }>(app, `SELECT status FROM alerts WHERE id = $1`, [alert.id])).rows[0],
    ).toEqual({ status: 'OPEN' });

    const worker = spawnNode(WORKER, {
      DATABASE_URL: app.database.url,
      HEARTH_DATA_DIR: dataDir,
      NODE_ENV: 'test',
      HEARTH_SCHEDULER_INTERVAL_MS: '200',
      HEARTH_SOCKET_ADAPTER: adapter,
      ...(adapter === 'redis' && redisUrl ? { REDIS_URL: redisUrl } : {}),
    });
    await printed(worker, 'Hearth worker is running');

    const escalation = await mia.next((n) => n.alertId === alert.id && n.type === 'ALERT_RAISED', 20_000);
    expect(escalation).toMatchObject({ familyId, rag: 'RED' });
    await eventually(
      async () =>
        (await query<{ status: string }>(app, `SELECT status FROM alerts WHERE id = $1`, [alert.id])).rows[0]
          ?.status === 'ESCALATED',
      { what: 'the alert marked ESCALATED' },
    );

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toBe('');
  }, 60_000);
});
