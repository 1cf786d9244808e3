import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '@hearth/testing';
import { spawnHearth } from './support/process.js';
import { login } from './support/session.js';

jest.setTimeout(180_000);

/**
 * Fault drill: SIGTERM while clients are posting. Requests in flight finish (their events commit
 * and their responses arrive), new ones are refused, the process exits 0 within 25 seconds, and
 * every acknowledged event exists.
 */
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

describe('fault drill: SIGTERM under load', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-drill-'));
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes what is in flight, refuses the rest, exits in time, and loses nothing acknowledged', async () => {
    db = await createTestDatabase({ demo: true });
    const hearth = spawnHearth({
      DATABASE_URL: db.url,
      HEARTH_DATA_DIR: dataDir,
      HEARTH_SEED_DEMO: 'false',
      HEARTH_MUTATIONS_PER_MINUTE_PER_USER: '1000000',
      HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS: '1000000',
    });
    const url = await hearth.listening;
    const sam = await login(url, 'sam.social');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const family = await client.query<{ id: string }>(`SELECT id FROM families WHERE reference = 'NS-2026-0142'`);
      const familyId = family.rows[0]!.id;
      const prefix = `sigterm ${Date.now()}`;
      const acknowledged: string[] = [];
      const refused: string[] = [];
      const failures: string[] = [];
      let exited = false;
      void hearth.exited.then(() => (exited = true));

      const worker = async (w: number) => {
        for (let i = 0; !exited; i++) {
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            authorization: `Bearer ${sam.accessToken}`,
          };
          // Half the clients send an Idempotency-Key: those run as one unit of work.
          if (w % 2 === 0) headers['idempotency-key'] = `${prefix}-${w}-${i}`;
          const input = { familyId, kind: 'NOTE', severity: 'LOW', occurredAt: '2026-11-01T10:00:00Z' };
          try {
            const res = await fetch(`${url}/graphql`, {
              method: 'POST',
              headers,
              body: JSON.stringify({ query: POST, variables: { input: { ...input, summary: `${prefix} ${w}-${i}` } } }),
            });
            const body = (await res.json()) as { data?: { postEvent?: { id: string } }; errors?: unknown[] };
            if (res.status === 200 && body.data?.postEvent) acknowledged.push(body.data.postEvent.id);
            else if (res.status === 503) refused.push('503');
            else failures.push(`${res.status} ${JSON.stringify(body)}`);
          } catch (error) {
            // The listening socket is closed: the request never reached Hearth, and no later one
            // will. This client waits for the process to exit rather than retrying.
            refused.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
            await hearth.exited;
            return;
          }
        }
      };
      const workers = Array.from({ length: 8 }, (_, w) => worker(w));
      await eventually(() => Promise.resolve(acknowledged.length >= 30), {
        what: 'load on Hearth',
        timeoutMs: 60_000,
      });

      const signalled = Date.now();
      hearth.child.kill('SIGTERM');
      const code = await hearth.exited;
      const took = Date.now() - signalled;
      await Promise.all(workers);

      expect(code).toBe(0);
      expect(took).toBeLessThan(25_000);
      expect(failures).toEqual([]);
      expect(refused.length).toBeGreaterThan(0);
      // Every acknowledged event exists, and nothing was done without its answer arriving.
      const stored = await client.query<{ id: string }>(`SELECT id FROM timeline_events WHERE summary LIKE $1`, [
        `${prefix} %`,
      ]);
      expect(stored.rows.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
      expect(hearth.stdout()).toContain('"msg":"stopped"');
    } finally {
      await client.end();
    }
  });
});
