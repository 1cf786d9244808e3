import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { UnitOfWork } from '@hearth/database';
import { errorCode } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Row-level security behind the ability: the app connects as a role that does not own the
 * tables, and every operation's unit of work says whose it is (`hearth.user_id`). A statement
 * that forgets the ability's filter still sees only the families the user relates to.
 */

const TABLES = ['timeline_events', 'event_subjects', 'event_replies', 'event_acknowledgements'];

describe('row-level security on the timeline', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  let dataSource: DataSource;

  beforeAll(async () => {
    app = await startTestApp({ HEARTH_RUN_WORKER: 'false' });
    ({ sessions: as, families } = await demoWorld(app));
    dataSource = app.hearth.app.get(DataSource);
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
      [TABLES],
    );
    expect(enabled.map((r) => r.relname).sort()).toEqual([...TABLES].sort());
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
