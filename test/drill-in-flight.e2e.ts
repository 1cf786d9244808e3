import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '@hearth/testing';
import { printed, spawnHearth } from './support/process.js';
import { login } from './support/session.js';

jest.setTimeout(180_000);

/**
 * Fault drill: a request known to be in flight when SIGTERM arrives. The test holds a row lock the
 * request's transaction needs, so the request is certainly inside Hearth, waiting in PostgreSQL,
 * when the signal is sent; the lock is let go only once Hearth says it is shutting down. The
 * request still commits and its answer arrives; a request sent after the signal is refused.
 */
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

describe('fault drill: a request in flight at SIGTERM', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-inflight-'));
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes a request waiting in the database when the signal arrives, and refuses one sent after it', async () => {
    db = await createTestDatabase({ demo: true });
    const hearth = spawnHearth({ DATABASE_URL: db.url, HEARTH_DATA_DIR: dataDir, HEARTH_SEED_DEMO: 'false' });
    const url = await hearth.listening;
    const sam = await login(url, 'sam.social');
    const client = new pg.Client({ connectionString: db.url, application_name: 'drill-lock-holder' });
    await client.connect();
    try {
      const familyId = (await client.query<{ id: string }>(`SELECT id FROM families WHERE reference = 'NS-2026-0142'`))
        .rows[0]!.id;
      const summary = `in flight at SIGTERM ${Date.now()}`;
      // The event's row refers to the family: its insert waits for this lock.
      await client.query('BEGIN');
      await client.query(`SELECT id FROM families WHERE id = $1 FOR UPDATE`, [familyId]);

      const inFlight = fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sam.accessToken}` },
        body: JSON.stringify({
          query: POST,
          variables: {
            input: { familyId, kind: 'NOTE', severity: 'LOW', occurredAt: '2026-11-01T10:00:00Z', summary },
          },
        }),
      });
      await eventually(
        async () =>
          (
            await client.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name <> 'drill-lock-holder'`,
            )
          ).rows[0]!.n > 0,
        { what: 'the request waiting for the lock', timeoutMs: 30_000 },
      );

      hearth.child.kill('SIGTERM');
      await printed(hearth, '"msg":"shutting down"');
      // Sent after the signal: refused, by a 503 on an open connection or by the closed listener.
      const late = await fetch(`${url}/health/live`).then(
        (res) => String(res.status),
        (error: { cause?: { code?: string } }) => error.cause?.code ?? 'refused',
      );
      expect(['503', 'ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(late);
      expect(hearth.child.exitCode).toBeNull();

      await client.query('COMMIT');
      const res = await inFlight;
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data?: { postEvent?: { id: string } }; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      const id = body.data!.postEvent!.id;
      expect(await hearth.exited).toBe(0);
      const stored = await client.query<{ id: string }>(`SELECT id FROM timeline_events WHERE summary = $1`, [summary]);
      expect(stored.rows.map((r) => r.id)).toEqual([id]);
      expect(hearth.stdout()).toContain('"msg":"stopped"');
    } finally {
      await client.end();
    }
  });
});
