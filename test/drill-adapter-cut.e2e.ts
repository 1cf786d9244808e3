import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { readTestSettings } from '@hearth/config';
import { DeliverySweep, RealtimeGateway, userRoom } from '@hearth/realtime';
import { eventually } from '@hearth/testing';
import { demoWorld, query } from './support/demo.js';
import { LiveClient } from './support/live-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

jest.setTimeout(120_000);

/**
 * Fault drill: the socket adapter's connection is cut while events are posted (PostgreSQL:
 * pg_terminate_backend of the LISTEN backends; Redis: CLIENT KILL of the subscribers). Clients
 * connected to either node still get every notification within a few seconds, each `seq` once:
 * what the adapter lost, the delivery sweep sends. Then the adapter is whole again.
 */
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;
const SWEEP_MS = 1000;
const POSTS_PER_NODE = 15;
const CUT_AFTER = 4;

const adapters: ('postgres' | 'redis')[] = readTestSettings().redisUrl ? ['postgres', 'redis'] : ['postgres'];

describe('fault drill: the socket adapter loses its connection', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
  });

  if (!readTestSettings().redisUrl) {
    it('has no Redis to try: REDIS_URL is not set, so only the PostgreSQL adapter is cut here', () => {
      expect(readTestSettings().redisUrl).toBeUndefined();
    });
  }

  it.each(adapters)('keeps every connected client told of every event (%s adapter)', async (adapter) => {
    const env = {
      HEARTH_SOCKET_ADAPTER: adapter,
      HEARTH_DELIVERY_SWEEP_INTERVAL_MS: String(SWEEP_MS),
      ...(adapter === 'redis' ? { REDIS_URL: readTestSettings().redisUrl! } : {}),
    };
    const a = await startTestApp(env);
    apps.push(a);
    const b = await startTestApp(env, { shareDatabaseOf: a });
    apps.push(b);
    const nodes = [a, b].map((app) => app.hearth.app.get(RealtimeGateway).server!.of('/').adapter);
    const seeEachOther = () =>
      eventually(async () => (await Promise.all(nodes.map((n) => n.serverCount()))).every((n) => n >= 2), {
        what: 'both nodes seeing each other',
        timeoutMs: 30_000,
        intervalMs: 100,
      });
    await seeEachOther();
    const { sessions, families } = await demoWorld(a);
    const walsh = families['NS-2026-0142']!;
    const url = a.database.url;

    // dee listens on node A, hal on node B; sam posts through A and pat through B.
    const dee = await LiveClient.start(url, sessions['dee.school'].userId, sessions['dee.school'].accessToken);
    const hal = await LiveClient.start(url, sessions['hal.health'].userId, sessions['hal.health'].accessToken);
    await dee.connect(a.url);
    await hal.connect(b.url);

    const acknowledged: string[] = [];
    let cut: Promise<number> | undefined;
    const poster = async (node: TestApp, token: string, name: string) => {
      for (let i = 0; i < POSTS_PER_NODE; i++) {
        const { postEvent } = await node.gqlData<{ postEvent: { id: string } }>({
          query: POST,
          variables: {
            input: {
              familyId: walsh,
              kind: 'NOTE',
              severity: 'INFO',
              summary: `adapter drill ${name} ${i}`,
              occurredAt: new Date().toISOString(),
            },
          },
          token,
        });
        acknowledged.push(postEvent.id);
        if (acknowledged.length === CUT_AFTER) cut = cutAdapter(adapter, a, b);
      }
    };
    await Promise.all([
      poster(a, sessions['sam.social'].accessToken, 'sam'),
      poster(b, sessions['pat.police'].accessToken, 'pat'),
    ]);
    const lastAcknowledged = Date.now();
    expect(await cut).toBeGreaterThanOrEqual(2);

    // Within a few seconds of the last post, each has everything, once.
    for (const client of [dee, hal]) {
      await eventually(() => client.hasEverything(url), {
        what: 'every notification at the client',
        timeoutMs: 20_000,
        intervalMs: 100,
      });
    }
    const took = Date.now() - lastAcknowledged;
    for (const client of [dee, hal]) {
      const stored = await client.stored(url);
      expect(client.seen()).toEqual(stored);
      for (const id of acknowledged) expect([...stored.values()]).toContain(id);
    }
    expect(took).toBeLessThan(10_000);

    // The adapter is whole again: each node reaches the other's sockets.
    await seeEachOther();
    await eventually(
      async () => {
        const [fromA, fromB] = await Promise.all(
          [a, b].map((app) =>
            app.hearth.app
              .get(RealtimeGateway)
              .server!.in([userRoom(sessions['dee.school'].userId), userRoom(sessions['hal.health'].userId)])
              .fetchSockets(),
          ),
        ).catch(() => []); // a node not answering yet times the request out
        return fromA?.length === 2 && fromB?.length === 2;
      },
      { what: 'each node reaching the sockets of both', timeoutMs: 30_000, intervalMs: 250 },
    );
    const swept = a.hearth.app.get(DeliverySweep).deliveredTotal + b.hearth.app.get(DeliverySweep).deliveredTotal;
    process.stdout.write(
      `${adapter} adapter cut: ${acknowledged.length} posts, everything at the clients ${took} ms after the last, ` +
        `${swept} sent by the sweep, ${dee.repeats + hal.repeats} repeats dropped by the clients\n`,
    );
    dee.close();
    hal.close();
  });
});

/** Cuts the adapter's listening connection on both nodes; resolves with how many were cut. */
async function cutAdapter(adapter: 'postgres' | 'redis', a: TestApp, b: TestApp): Promise<number> {
  if (adapter === 'postgres') {
    const { rows } = await query<{ pid: number }>(
      a,
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'hearth-socket-adapter' AND query LIKE 'LISTEN%'`,
    );
    await query(a, `SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [rows.map((r) => r.pid)]);
    return rows.length;
  }
  // Each node's subscriber, found by its local port among the server's clients.
  const ports = [a, b].map((app) => {
    const nsp = app.hearth.app.get(RealtimeGateway).server!.of('/');
    const subscriber = (nsp.adapter as unknown as { subClient: Redis }).subClient;
    return (subscriber as unknown as { stream: { localPort: number } }).stream.localPort;
  });
  const admin = new Redis(readTestSettings().redisUrl!);
  try {
    const list = (await admin.client('LIST')) as string;
    const ids = list
      .split('\n')
      .filter((line) => ports.some((port) => new RegExp(` addr=[^ ]+:${port} `).test(` ${line} `)))
      .map((line) => /(?:^| )id=(\d+)/.exec(line)![1]!);
    for (const id of ids) await admin.client('KILL', 'ID', id);
    return ids.length;
  } finally {
    admin.disconnect();
  }
}
