import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connectSocket, createTestDatabase, eventually, graphqlData, type TestDatabase } from '@hearth/testing';
import { printed, spawnNode, type NodeProcess } from './support/process.js';
import { login, type Session } from './support/session.js';

/**
 * `npm run cluster:local` (deploy/cluster/local-cluster.mjs) on the test build: two API processes
 * and a worker over one database. A post on one node rings a socket held by the other.
 */
const LAUNCHER = fileURLToPath(new URL('../deploy/cluster/local-cluster.mjs', import.meta.url));
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the local cluster', () => {
  let database: TestDatabase;
  let cluster: NodeProcess;
  let nodeA: string;
  let nodeB: string;
  let familyId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-cluster-'));

  const query = async <T>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const post = (baseUrl: string, session: Session, summary: string) =>
    graphqlData<{ postEvent: { id: string } }>(baseUrl, {
      query: POST,
      variables: {
        input: { familyId, kind: 'NOTE', severity: 'INFO', summary, occurredAt: new Date().toISOString() },
      },
      token: session.accessToken,
    });

  beforeAll(async () => {
    database = await createTestDatabase({ demo: true });
    const [a, b] = [await freePort(), await freePort()];
    cluster = spawnNode(LAUNCHER, {
      HEARTH_CLUSTER_BUILD: '.test-build',
      HEARTH_CLUSTER_PORTS: `${a},${b}`,
      HEARTH_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
    });
    await printed(cluster, '[cluster] ready');
    nodeA = `http://127.0.0.1:${a}`;
    nodeB = `http://127.0.0.1:${b}`;
    const [family] = await query<{ id: string }>(`SELECT id FROM families WHERE reference = 'NS-2026-0142'`);
    familyId = family!.id;
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs two ready API nodes and a worker', async () => {
    for (const url of [nodeA, nodeB]) expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect(cluster.stdout()).toMatch(/\[worker\] .*Hearth worker is running/);
  });

  it('rings a socket on node B for a post on node A, and the other way round', async () => {
    // Tokens are good on every node: the nodes share their signing keys.
    const sam = await login(nodeA, 'sam.social');
    const pat = await login(nodeB, 'pat.police');
    const patOnB = await connectSocket(nodeB, pat.accessToken);
    const samOnA = await connectSocket(nodeA, sam.accessToken);
    try {
      const fromA = await post(nodeA, sam, 'Posted on node A');
      const rungOnB = await patOnB.next((n) => n.type === 'EVENT_POSTED' && n.eventId === fromA.postEvent.id, 10_000);
      expect(rungOnB.familyId).toBe(familyId);

      const fromB = await post(nodeB, pat, 'Posted on node B');
      const rungOnA = await samOnA.next((n) => n.type === 'EVENT_POSTED' && n.eventId === fromB.postEvent.id, 10_000);
      expect(rungOnA.familyId).toBe(familyId);
    } finally {
      patOnB.close();
      samOnA.close();
    }
  });

  it("cuts an ended session's socket on the other node, and no other session's", async () => {
    // Two sessions of one user, each with a socket on node B; the first logs out through node A.
    const first = await login(nodeA, 'dee.school');
    const second = await login(nodeA, 'dee.school');
    const ending = await connectSocket(nodeB, first.accessToken);
    const staying = await connectSocket(nodeB, second.accessToken);
    try {
      await graphqlData(nodeA, { query: `mutation { logout }`, token: first.accessToken });
      await eventually(() => Promise.resolve(!ending.socket.connected), {
        what: "the ended session's socket cut",
        timeoutMs: 10_000,
      });
      // The other session's socket is still connected and still rung (a post on node A).
      const sam = await login(nodeA, 'sam.social');
      const posted = await post(nodeA, sam, 'After the logout');
      const rung = await staying.next((n) => n.type === 'EVENT_POSTED' && n.eventId === posted.postEvent.id, 10_000);
      expect(rung.familyId).toBe(familyId);
      expect(staying.socket.connected).toBe(true);
      expect(ending.socket.connected).toBe(false);
    } finally {
      ending.close();
      staying.close();
    }
  });

  it('has the worker seal the audit trail of both nodes (the API nodes run no scheduled work)', async () => {
    await eventually(
      async () => {
        const [left] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_entries e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)`,
        );
        return left?.n === 0;
      },
      { what: 'every audit entry sealed', timeoutMs: 20_000 },
    );
  });

  it('stops every process on SIGTERM', async () => {
    cluster.child.kill('SIGTERM');
    expect(await cluster.exited).toBe(0);
    expect(cluster.stdout()).toContain('[cluster] stopped');
    await expect(fetch(`${nodeA}/health/live`)).rejects.toThrow();
    await expect(fetch(`${nodeB}/health/live`)).rejects.toThrow();
  }, 60_000);
});
