import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { actAsUser, APPLICATION_ROLE, SYSTEM_DATA_SOURCE, SYSTEM_ROLE, UnitOfWork } from '@hearth/database';
import { errorCode } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Row-level security behind the ability: the app connects as a role that does not own the
 * tables, and every operation's unit of work says whose it is (`hearth.user_id`). A statement
 * that forgets the ability's filter still sees only the families the user relates to. It fails
 * closed: a transaction that names no user sees none, unless it runs on the system's own connections.
 */

const TABLES = ['timeline_events', 'event_subjects', 'event_replies', 'event_acknowledgements'];
/** Rows of a family, seen by those who work with it. */
const FAMILY_TABLES = ['alerts', 'alert_recipients', 'alert_history', 'join_requests', 'access_grants'];
/** Rows of one user (an inbox). */
const RECIPIENT_TABLES = ['notifications'];
const COVERED = [...TABLES, ...FAMILY_TABLES, ...RECIPIENT_TABLES];

describe('row-level security on the family-scoped tables', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  let dataSource: DataSource;
  let system: DataSource;

  beforeAll(async () => {
    app = await startTestApp({ HEARTH_RUN_WORKER: 'false' });
    ({ sessions: as, families } = await demoWorld(app));
    dataSource = app.hearth.app.get(DataSource);
    system = app.hearth.app.get<DataSource>(SYSTEM_DATA_SOURCE);
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  /** `sql` through the app's own pool, in a unit of work for `userId`, as an operation runs it. */
  function inUnitOfWork<T>(userId: string | null, sql: string, params: unknown[] = []): Promise<T[]> {
    return UnitOfWork.scope(async () => {
      const unit = await UnitOfWork.open(dataSource);
      try {
        await unit.begin(userId);
        return await dataSource.query<T[]>(sql, params);
      } finally {
        await unit.rollback();
      }
    });
  }

  it('connects as a role that neither owns the tables nor bypasses row security', async () => {
    const [role] = await dataSource.query<
      { current_user: string; owner: string; bypass: boolean; superuser: boolean }[]
    >(
      `SELECT current_user, pg_get_userbyid(c.relowner) AS owner, r.rolbypassrls AS bypass, r.rolsuper AS superuser
         FROM pg_class c, pg_roles r WHERE c.oid = 'timeline_events'::regclass AND r.rolname = current_user`,
    );
    expect(role!.current_user).not.toBe(role!.owner);
    expect(role!.bypass).toBe(false);
    expect(role!.superuser).toBe(false);
    const enabled = await dataSource.query<{ relname: string }[]>(
      `SELECT relname FROM pg_class WHERE relname = ANY($1) AND relrowsecurity`,
      [COVERED],
    );
    expect(enabled.map((r) => r.relname).sort()).toEqual([...COVERED].sort());
  });

  it("shows an unfiltered SELECT only the user's families", async () => {
    // pat works with NS-2026-0142, not with NS-2026-0157.
    const a = families['NS-2026-0142']!;
    const b = families['NS-2026-0157']!;
    const everything = (await query<{ family_id: string }>(app, `SELECT DISTINCT family_id FROM timeline_events`)).rows;
    expect(everything.map((r) => r.family_id)).toEqual(expect.arrayContaining([a, b]));

    const pat = as['pat.police'].userId;
    for (const table of TABLES) {
      const seen = await inUnitOfWork<{ family_id: string; n: number }>(
        pat,
        `SELECT family_id, count(*)::int AS n FROM ${table} GROUP BY family_id`,
      );
      const byFamily = new Map(seen.map((r) => [r.family_id, r.n]));
      // Positive control: family A's rows are there.
      expect(byFamily.get(a) ?? 0).toBeGreaterThan(0);
      expect(byFamily.has(b)).toBe(false);
    }
    // sam leads both: the same statement shows them both.
    const sam = await inUnitOfWork<{ family_id: string }>(
      as['sam.social'].userId,
      `SELECT DISTINCT family_id FROM timeline_events`,
    );
    expect(sam.map((r) => r.family_id)).toEqual(expect.arrayContaining([a, b]));
    // Nobody signed in: nothing.
    expect(await inUnitOfWork(null, `SELECT id FROM timeline_events`)).toEqual([]);
  });

  it("shows an unfiltered SELECT * of every other family-scoped table only the user's families and rows", async () => {
    const a = families['NS-2026-0142']!;
    const b = families['NS-2026-0157']!;
    const pat = as['pat.police'].userId;
    const sam = as['sam.social'].userId;
    const hal = as['hal.health'].userId;
    // Arranged as the administrator: an alert, a join request, a grant in each family; an inbox
    // row for pat and for sam.
    await query(
      app,
      `WITH rule AS (SELECT rule_id, version FROM rule_versions ORDER BY rule_id, version LIMIT 1),
         raised AS (
           INSERT INTO alerts (family_id, rule_id, rule_version, rag, dedup_key, explanation, due_by)
           SELECT f, rule.rule_id, rule.version, 'AMBER', 'row-security:' || f, 'arranged', now() + interval '1 day'
           FROM rule, unnest($1::uuid[]) AS f RETURNING id, family_id),
         addressed AS (
           INSERT INTO alert_recipients (alert_id, family_id, user_id, reason)
           SELECT id, family_id, $2, 'RECIPIENT' FROM raised)
       INSERT INTO alert_history (alert_id, family_id, change) SELECT id, family_id, 'RAISED' FROM raised`,
      [[a, b], sam],
    );
    await query(
      app,
      `INSERT INTO join_requests (family_id, user_id, reason) SELECT f, $2, 'arranged' FROM unnest($1::uuid[]) AS f`,
      [[a, b], hal],
    );
    await query(
      app,
      `INSERT INTO access_grants (family_id, user_id, reason, expires_at)
       SELECT f, $2, 'arranged', now() - interval '1 hour' FROM unnest($1::uuid[]) AS f`,
      [[a, b], hal],
    );
    await query(
      app,
      `INSERT INTO notifications (user_id, seq, type, family_id)
       SELECT u, 1000000 + i, 'EVENT_POSTED', $2 FROM unnest($1::uuid[]) WITH ORDINALITY AS t(u, i)`,
      [[pat, sam], a],
    );
    for (const table of FAMILY_TABLES) {
      // The administrator sees both families' rows: the statement has something to hide.
      const all = (await query<{ family_id: string }>(app, `SELECT * FROM ${table}`)).rows;
      expect(new Set(all.map((r) => r.family_id))).toEqual(new Set([a, b]));
      const seen = await inUnitOfWork<{ family_id: string }>(pat, `SELECT * FROM ${table}`);
      // Positive control: family A's rows are there; family B's are not.
      expect(seen.filter((r) => r.family_id === a).length).toBeGreaterThan(0);
      expect(seen.filter((r) => r.family_id === b)).toEqual([]);
      expect(await inUnitOfWork(null, `SELECT * FROM ${table}`)).toEqual([]);
    }
    for (const table of RECIPIENT_TABLES) {
      const all = (await query<{ user_id: string }>(app, `SELECT * FROM ${table}`)).rows;
      expect(all.map((r) => r.user_id)).toEqual(expect.arrayContaining([pat, sam]));
      // pat works with family A too: his own rows only, not sam's.
      const seen = await inUnitOfWork<{ user_id: string }>(pat, `SELECT * FROM ${table}`);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((r) => r.user_id !== pat)).toEqual([]);
      expect(await inUnitOfWork(null, `SELECT * FROM ${table}`)).toEqual([]);
    }
    // A grant is its holder's: hal sees his grant on family B, which he does not otherwise relate to.
    const halGrants = await inUnitOfWork<{ family_id: string }>(hal, `SELECT * FROM access_grants`);
    expect(halGrants.map((r) => r.family_id).sort()).toEqual([a, b].sort());
    // Auditors review every grant.
    const reviewed = await inUnitOfWork<{ family_id: string }>(
      as['aud.auditor'].userId,
      `SELECT DISTINCT family_id FROM access_grants`,
    );
    expect(reviewed.map((r) => r.family_id).sort()).toEqual([a, b].sort());
  });

  /** `sql` in a transaction on `pool` (the app's own, or the system's) outside any operation. */
  function inTransaction<T>(pool: DataSource, sql: string, params: unknown[] = []): Promise<T[]> {
    return pool.transaction((manager) => manager.query<T[]>(sql, params));
  }

  it("gives the system's work its own role, which no application connection can claim", async () => {
    const who = `SELECT current_user`;
    const [mine] = await dataSource.query<{ current_user: string }[]>(who);
    const [its] = await system.query<{ current_user: string }[]>(who);
    expect(mine!.current_user).toBe(APPLICATION_ROLE);
    expect(its!.current_user).toBe(SYSTEM_ROLE);
    const events = `SELECT DISTINCT family_id FROM timeline_events`;
    // Positive control: the system's connection sees events of both demo families with many.
    expect((await inTransaction(system, events)).length).toBeGreaterThan(1);
    // The setting that used to mark the system's connections widens nothing now.
    const claimed = await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL hearth.scope = 'system'`);
      return manager.query<unknown[]>(events);
    });
    expect(claimed).toEqual([]);
    // That hearth_app cannot take the role is deploy-roles.e2e.ts's to show: here, as on the
    // embedded database, the administrator's login takes the roles.
  });

  it('shows a transaction that names no one no row of any family-scoped table; the system sees them all', async () => {
    // Rows of every covered table exist after the previous test's arrangement and the demo.
    const a = families['NS-2026-0142']!;
    const b = families['NS-2026-0157']!;
    for (const table of COVERED) {
      // Positive control: the same statement on the system's connections sees rows, of both families.
      const seen = await inTransaction<{ family_id: string }>(system, `SELECT family_id FROM ${table}`);
      expect(seen.length).toBeGreaterThan(0);
      if (table !== 'notifications') expect(seen.map((r) => r.family_id)).toEqual(expect.arrayContaining([a, b]));
      // No scope: a transaction, or a statement on its own, sees nothing.
      expect(await inTransaction(dataSource, `SELECT family_id FROM ${table}`)).toEqual([]);
      expect(await dataSource.query(`SELECT family_id FROM ${table}`)).toEqual([]);
    }
  });

  it("narrows a system transaction that names a user to that user's families", async () => {
    const dee = as['dee.school'].userId;
    const events = `SELECT DISTINCT family_id FROM timeline_events ORDER BY family_id`;
    const hers = await system.transaction(async (manager) => {
      await actAsUser(manager, dee);
      return manager.query<{ family_id: string }[]>(events);
    });
    const expected = await query<{ family_id: string }>(
      app,
      `SELECT DISTINCT e.family_id FROM timeline_events e
         JOIN family_relationships r ON r.family_id = e.family_id AND r.user_id = $1 ORDER BY e.family_id`,
      [dee],
    );
    // Positive control: the system sees more families than dee, and dee some.
    const all = await inTransaction<{ family_id: string }>(system, events);
    expect(hers.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(hers.length);
    expect(hers).toEqual(expected.rows);
  });

  it('refuses writing without a scope, and allows it to the system', async () => {
    const pat = as['pat.police'].userId;
    const a = families['NS-2026-0142']!;
    const insert = `INSERT INTO timeline_events (family_id, kind, severity, visibility, occurred_at, summary, agency_id, author_id)
         SELECT $1, 'NOTE', 'INFO', 'NETWORK', now(), 'no scope', u.agency_id, u.id FROM users u WHERE u.id = $2
         RETURNING id`;
    const outcome = (run: Promise<unknown[]>) =>
      run.then(
        (rows) => rows.length,
        (error: { code?: string }) => error.code,
      );
    // Positive control: the system may write it.
    expect(await outcome(inTransaction(system, insert, [a, pat]))).toBe(1);
    expect(await outcome(inTransaction(dataSource, insert, [a, pat]))).toBe('42501');
    expect(await outcome(dataSource.query(insert, [a, pat]))).toBe('42501');
    // Changing or removing rows without a scope touches none; the system's statement finds them.
    const touched = (pool: DataSource, change: string) =>
      inTransaction<{ n: number }>(
        pool,
        `WITH touched AS (${change} WHERE family_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM touched`,
        [a],
      ).then((rows) => rows[0]!.n);
    expect(await touched(dataSource, `UPDATE alerts SET explanation = explanation`)).toBe(0);
    expect(await touched(dataSource, `DELETE FROM alert_history`)).toBe(0);
    expect(await touched(system, `UPDATE alerts SET explanation = explanation`)).toBeGreaterThan(0);
  });

  it('refuses writing a row into a family the user does not relate to', async () => {
    const pat = as['pat.police'].userId;
    const write = (familyId: string) =>
      inUnitOfWork(
        pat,
        `INSERT INTO timeline_events (family_id, kind, severity, visibility, occurred_at, summary, agency_id, author_id)
         SELECT $1, 'NOTE', 'INFO', 'NETWORK', now(), 'backstop', u.agency_id, u.id FROM users u WHERE u.id = $2
         RETURNING id`,
        [familyId, pat],
      ).then(
        (rows) => rows.length,
        (error: { code?: string }) => error.code,
      );
    expect(await write(families['NS-2026-0142']!)).toBe(1);
    expect(await write(families['NS-2026-0157']!)).toBe('42501');
  });

  it('serves the API as before under the policies', async () => {
    const page = (who: DemoUser, family: string) =>
      app.gql<{ timeline: { edges: unknown[] } }>({
        query: `query ($f: ID!) { timeline(familyId: $f, first: 5) { edges { node { id summary replies { id } } } } }`,
        variables: { f: families[family] },
        token: as[who].accessToken,
      });
    const read = await page('pat.police', 'NS-2026-0142');
    expect(errorCode(read)).toBeUndefined();
    expect(read.data!.timeline.edges.length).toBeGreaterThan(0);
    expect(errorCode(await page('pat.police', 'NS-2026-0157'))).toBe('NOT_FOUND');
    const posted = await app.gql<{ postEvent: { id: string } }>({
      query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
      variables: {
        input: {
          familyId: families['NS-2026-0157'],
          kind: 'NOTE',
          severity: 'INFO',
          occurredAt: new Date().toISOString(),
          summary: 'Posted under row security',
        },
      },
      token: as['sam.social'].accessToken,
    });
    expect(errorCode(posted)).toBeUndefined();
  });
});
