import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { readTestSettings } from '@hearth/config';
import { createTestDatabase, eventually, type TestDatabase } from '@hearth/testing';
import { LiveClient } from './support/live-client.js';
import { spawnHearth } from './support/process.js';
import { login, type Session } from './support/session.js';

jest.setTimeout(180_000);

/**
 * Fault drill: two API processes on one database with the socket adapter, a client on each
 * posting and listening (and one more listening on each), and one process SIGKILLed under load.
 * Every acknowledged event exists with its notifications, and every recipient ends up with every
 * notification exactly once: the clients of the dead node reconnect to the other and resume, and
 * what the dead node committed but never pushed reaches the living node's clients by its sweep.
 */
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;
const BEFORE_KILL = 8;
const AFTER_KILL = 8;

const adapters: ('postgres' | 'redis')[] = readTestSettings().redisUrl ? ['postgres', 'redis'] : ['postgres'];

describe('fault drill: an API node is killed under load', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  if (!readTestSettings().redisUrl) {
    it('has no Redis to try: REDIS_URL is not set, so only the PostgreSQL adapter runs here', () => {
      expect(readTestSettings().redisUrl).toBeUndefined();
    });
  }

  it.each(adapters)('loses nothing acknowledged and tells everyone everything once (%s adapter)', async (adapter) => {
    const db: TestDatabase = await createTestDatabase({ demo: true });
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-drill-'));
    cleanup.push(async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    // The nodes of one deployment share their signing keys: a token is good on both.
    const keys = generateKeyPairSync('ed25519');
    const env = {
      DATABASE_URL: db.url,
      HEARTH_DATA_DIR: dataDir,
      HEARTH_JWT_PRIVATE_KEY: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      HEARTH_JWT_PUBLIC_KEY: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      HEARTH_SEED_DEMO: 'false',
      HEARTH_RUN_WORKER: 'false',
      HEARTH_SOCKET_ADAPTER: adapter,
      HEARTH_DELIVERY_SWEEP_INTERVAL_MS: '1000',
      HEARTH_MUTATIONS_PER_MINUTE_PER_USER: '1000000',
      HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS: '1000000',
      ...(adapter === 'redis' ? { REDIS_URL: readTestSettings().redisUrl! } : {}),
    };
    const started = Date.now();
    const nodeA = spawnHearth(env);
    const nodeB = spawnHearth(env);
    const [urlA, urlB] = await Promise.all([nodeA.listening, nodeB.listening]);
    const listening = Date.now() - started;

    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    cleanup.push(() => sql.end());
    const family = await sql.query<{ id: string }>(`SELECT id FROM families WHERE reference = 'NS-2026-0142'`);
    const familyId = family.rows[0]!.id;
    const who = ['sam.social', 'dee.school', 'pat.police', 'hal.health'] as const;
    const sessions = Object.fromEntries(
      await Promise.all(who.map(async (name) => [name, await login(urlA, name)] as const)),
    ) as Record<(typeof who)[number], Session>;
    const clients = Object.fromEntries(
      await Promise.all(
        who.map(
          async (name) =>
            [name, await LiveClient.start(db.url, sessions[name].userId, sessions[name].accessToken)] as const,
        ),
      ),
    ) as Record<(typeof who)[number], LiveClient>;
    cleanup.push(() => {
      for (const client of Object.values(clients)) client.close();
      return Promise.resolve();
    });
    // sam and dee on node A, pat and hal on node B.
    await Promise.all([
      clients['sam.social'].connect(urlA),
      clients['dee.school'].connect(urlA),
      clients['pat.police'].connect(urlB),
      clients['hal.health'].connect(urlB),
    ]);

    const prefix = `node drill ${adapter} ${Date.now()}`;
    const acknowledged: string[] = [];
    let killed = false;
    let afterKill = 0;
    const nodeDown = nodeA.exited.then(() => undefined);
    /** Posts until enough were acknowledged after the kill; a client of node A moves to node B when A is gone. */
    const poster = async (name: 'sam.social' | 'pat.police', home: string) => {
      let url = home;
      for (let i = 0; afterKill < AFTER_KILL; i++) {
        try {
          const res = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${sessions[name].accessToken}` },
            body: JSON.stringify({
              query: POST,
              variables: {
                input: {
                  familyId,
                  kind: 'NOTE',
                  severity: 'INFO',
                  summary: `${prefix} ${name} ${i}`,
                  occurredAt: new Date().toISOString(),
                },
              },
            }),
          });
          const body = (await res.json()) as { data?: { postEvent?: { id: string } } };
          if (!body.data?.postEvent) throw new Error(`not acknowledged: ${res.status} ${JSON.stringify(body)}`);
          acknowledged.push(body.data.postEvent.id);
          if (killed) afterKill++;
          if (!killed && acknowledged.length >= BEFORE_KILL) {
            killed = true;
            nodeA.child.kill('SIGKILL');
          }
        } catch (error) {
          // Only node A's death may fail a request (in flight at the kill, or sent to a closed port).
          if (url !== urlA || !killed) throw error;
          await nodeDown;
          url = urlB;
        }
      }
    };
    const moved = (async () => {
      // The clients of node A see their sockets drop, and reconnect to node B.
      await Promise.all([clients['sam.social'].disconnected(), clients['dee.school'].disconnected()]);
      await nodeDown;
      await Promise.all([clients['sam.social'].connect(urlB), clients['dee.school'].connect(urlB)]);
    })();
    await Promise.all([poster('sam.social', urlA), poster('pat.police', urlB), moved]);
    const settledFrom = Date.now();
    expect(await nodeA.exited).toBeNull(); // killed by the signal

    // Every acknowledged event exists, with a notification for each of the others.
    const stored = await sql.query<{ id: string; author_id: string; told: string[] }>(
      `SELECT e.id, e.author_id, array_agg(n.user_id::text) FILTER (WHERE n.user_id IS NOT NULL) AS told
       FROM timeline_events e LEFT JOIN notifications n ON n.event_id = e.id
       WHERE e.summary LIKE $1 GROUP BY e.id, e.author_id`,
      [`${prefix} %`],
    );
    const byId = new Map(stored.rows.map((r) => [r.id, r]));
    for (const id of acknowledged) {
      const event = byId.get(id);
      expect(event).toBeDefined();
      const others = who.map((name) => sessions[name].userId).filter((u) => u !== event!.author_id);
      expect([...(event!.told ?? [])].sort()).toEqual(expect.arrayContaining(others.sort()));
    }

    // Every recipient has every notification stored for them, each seq once.
    for (const name of who) {
      const client = clients[name];
      await eventually(() => client.hasEverything(db.url), {
        what: `every notification at ${name}`,
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      expect(client.seen()).toEqual(await client.stored(db.url));
    }
    const repeats = who.reduce((sum, name) => sum + clients[name].repeats, 0);
    process.stdout.write(
      `${adapter}: both nodes listening after ${listening} ms; ${acknowledged.length} acknowledged, ` +
        `${stored.rows.length} stored, every notification at every client ${Date.now() - settledFrom} ms ` +
        `after the last post; ${repeats} repeats dropped by the clients\n`,
    );
    nodeB.child.kill('SIGTERM');
    expect(await nodeB.exited).toBe(0);
  });
});
