import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually, errorCode } from '@hearth/testing';
import { demoWorld, query } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Fault drill: the database connection serving `postEvent` is killed (pg_terminate_backend) in the
 * middle of the request, after the event row is written and while its audit entry is being
 * written. A trigger makes that insert wait on an advisory lock the test holds, so the moment is
 * exact rather than timed.
 */
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id summary } }`;
const PAUSE_KEY = 7_340_101;

describe('fault drill: the connection dies in the middle of postEvent', () => {
  let app: TestApp;
  let sam: Session;
  let familyId: string;
  let holder: pg.Client;

  beforeAll(async () => {
    app = await startTestApp();
    const world = await demoWorld(app);
    sam = world.sessions['sam.social'];
    familyId = world.families['NS-2026-0142']!;
    await query(
      app,
      `CREATE FUNCTION drill_pause() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.subject_type = 'TimelineEvent' AND NEW.action = 'CREATE' THEN
           PERFORM pg_advisory_xact_lock_shared(${PAUSE_KEY});
         END IF;
         RETURN NEW;
       END $$`,
    );
    await query(
      app,
      `CREATE TRIGGER drill_pause AFTER INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION drill_pause()`,
    );
    holder = new pg.Client({ connectionString: app.database.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder.end();
    await app.close();
  });

  const counts = async (summary: string) => {
    const { rows } = await query<Record<string, number>>(
      app,
      `SELECT (SELECT count(*)::int FROM timeline_events WHERE summary = $1) AS events,
              (SELECT count(*)::int FROM audit_entries a JOIN timeline_events e ON e.id::text = a.subject_id
                 WHERE e.summary = $1) AS audit,
              (SELECT count(*)::int FROM notifications n JOIN timeline_events e ON e.id = n.event_id
                 WHERE e.summary = $1) AS notifications,
              (SELECT count(*)::int FROM alerts) AS alerts,
              (SELECT count(*)::int FROM idempotency_keys) AS keys`,
      [summary],
    );
    return rows[0]!;
  };

  it('answers with a clean error, keeps nothing, and the retry with the same key succeeds once', async () => {
    const summary = `drill ${Date.now()}`;
    const key = `drill-${summary}`;
    const call = () =>
      app.gql<{ postEvent: { id: string; summary: string } }>({
        query: POST,
        variables: {
          // HIGH and POLICE-worthy: the kind of post that can raise an alert in the same transaction.
          input: { familyId, kind: 'CONCERN', severity: 'HIGH', occurredAt: '2026-11-01T10:00:00Z', summary },
        },
        token: sam.accessToken,
        headers: { 'idempotency-key': key },
      });
    const before = await counts(summary);

    await holder.query(`SELECT pg_advisory_lock($1)`, [PAUSE_KEY]);
    const pending = call();
    // The request's backend now waits on the lock, inside its transaction.
    let victim: number | undefined;
    await eventually(
      async () => {
        const { rows } = await holder.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`,
          [PAUSE_KEY],
        );
        victim = rows[0]?.pid;
        return victim !== undefined;
      },
      { what: 'postEvent waiting inside its transaction', timeoutMs: 30_000 },
    );
    await holder.query(`SELECT pg_terminate_backend($1)`, [victim]);
    await holder.query(`SELECT pg_advisory_unlock($1)`, [PAUSE_KEY]);

    const failed = await pending;
    expect(failed.status).toBeLessThan(500);
    expect(errorCode(failed)).toBe('INTERNAL_SERVER_ERROR');
    expect(failed.errors?.[0]?.message).toBe('Internal server error');
    expect(JSON.stringify(failed)).not.toMatch(/terminat|administrator|SQL|postgres|audit_entries|at \//i);
    // Nothing of it exists: no event, no audit entry, no notification, no alert, no stored key.
    expect(await counts(summary)).toEqual(before);

    const retried = await call();
    expect(errorCode(retried)).toBeUndefined();
    expect(retried.data?.postEvent.summary).toBe(summary);
    const again = await call();
    expect(again.data).toEqual(retried.data);
    const after = await counts(summary);
    expect(after.events).toBe(1);
    expect(after.audit).toBeGreaterThanOrEqual(1);
    expect(after.notifications).toBeGreaterThan(0);
    expect(after.keys).toBe((before.keys ?? 0) + 1);
  });
});
