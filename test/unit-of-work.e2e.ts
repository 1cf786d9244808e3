import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { DomainEvents, UnitOfWork } from '@hearth/database';
import { connectSocket, errorCode, eventually, type TestSocket } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Every GraphQL operation is one unit of work on one pooled connection: the session check, the
 * access facts, each root field (a savepoint but the first), every DataLoader batch and every
 * audit entry, committed once the response is ready, effects after the commit.
 */

const POOL = 3;
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;
const PAGE = `query ($f: ID!) { timeline(familyId: $f, first: 20) {
  edges { node { id summary author { displayName agency { name } } agency { name } subjects { id } } } } }`;

describe('one unit of work per operation', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  let nested = 0;
  let n = 0;
  const unique = (what: string) => `${what} ${++n} ${Date.now()}`;

  const input = (familyId: string, summary: string) => ({
    familyId,
    kind: 'NOTE',
    severity: 'LOW',
    occurredAt: '2026-11-01T10:00:00Z',
    summary,
    visibility: 'NETWORK',
  });
  const count = async (table: string, where: string, params: unknown[]) =>
    (await query<{ n: number }>(app, `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0]!.n;

  beforeAll(async () => {
    app = await startTestApp({ HEARTH_DATABASE_POOL_SIZE: String(POOL), HEARTH_RUN_WORKER: 'false' });
    ({ sessions: as, families } = await demoWorld(app));
    // A runner made while a request's unit of work is open would be a second connection for it.
    const driver = app.hearth.app.get(DataSource).driver;
    const create = driver.createQueryRunner.bind(driver);
    driver.createQueryRunner = (mode) => {
      if (UnitOfWork.active()) nested++;
      return create(mode);
    };
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  it(`runs ${4 * POOL} concurrent queries and mutations on a pool of ${POOL}, each on one connection`, async () => {
    const family = families['NS-2026-0142']!;
    const tag = unique('concurrent');
    const operations = Array.from({ length: 4 * POOL }, (_, i) => {
      const who = (['sam.social', 'pat.police', 'dee.school', 'hal.health'] as const)[i % 4]!;
      const token = as[who].accessToken;
      switch (i % 4) {
        case 0:
          return app.gql({ query: POST, variables: { input: input(family, `${tag} ${i}`) }, token });
        case 1:
          return app.gql({ query: PAGE, variables: { f: family }, token });
        case 2:
          return app.gql({
            query: POST,
            variables: { input: input(family, `${tag} ${i}`) },
            token,
            headers: { 'idempotency-key': `${tag} ${i}` },
          });
        default:
          return app.gql({
            query: `query ($f: ID!) { family(id: $f) { id reference } }`,
            variables: { f: family },
            token,
          });
      }
    });
    const results = await Promise.all(operations);
    for (const res of results) {
      expect(errorCode(res)).toBeUndefined();
      expect(res.data).toBeTruthy();
    }
    expect(await count('timeline_events', 'summary LIKE $1', [`${tag} %`])).toBe(2 * POOL);
    expect(nested).toBe(0);
  }, 120_000);

  it('rolls back only the failed root field; its refusal is recorded', async () => {
    const ok = unique('kept');
    const refused = unique('refused');
    const res = await app.gql({
      query: `mutation ($ok: PostEventInput!, $bad: PostEventInput!) {
        a: postEvent(input: $ok) { id } b: postEvent(input: $bad) { id } }`,
      variables: {
        ok: input(families['NS-2026-0142']!, ok),
        // dee works with NS-2026-0142, not with NS-2026-0157.
        bad: input(families['NS-2026-0157']!, refused),
      },
      token: as['dee.school'].accessToken,
    });
    // postEvent is non-null: the refused field nulls the whole answer, yet the other one stands.
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors).toHaveLength(1);
    expect(await count('timeline_events', 'summary = $1', [ok])).toBe(1);
    expect(await count('timeline_events', 'summary = $1', [refused])).toBe(0);
    expect(
      await count(
        'audit_entries',
        `outcome = 'DENIED' AND actor_id = $1 AND subject_id = 'Mutation.postEvent' AND family_id = $2`,
        [as['dee.school'].userId, families['NS-2026-0157']],
      ),
    ).toBe(1);
  });

  it("undoes a failed first service transaction's writes and effects, and keeps the user named", async () => {
    const dataSource = app.hearth.app.get(DataSource);
    const events = app.hearth.app.get(DomainEvents);
    const [{ role }] = (await dataSource.query<{ role: string }[]>(`SELECT current_user AS role`)) as [
      { role: string },
    ];
    await query(app, `CREATE TABLE IF NOT EXISTS unit_probe (label text NOT NULL)`);
    await query(app, `GRANT SELECT, INSERT ON unit_probe TO ${role}`);
    const tag = unique('probe');
    const ran: string[] = [];
    const pat = as['pat.police'].userId;
    let named: string | undefined;
    await UnitOfWork.scope(async () => {
      const unit = await UnitOfWork.open(dataSource);
      await unit.begin(pat);
      // Nothing has run in the transaction yet: this one runs without a savepoint of its own.
      await expect(
        dataSource.transaction(async (manager) => {
          await manager.query(`INSERT INTO unit_probe (label) VALUES ($1)`, [`${tag} failed`]);
          events.afterCommit(manager, () => void ran.push('failed'));
          events.beforeCommit(manager, async (m) => {
            await m.query(`INSERT INTO unit_probe (label) VALUES ($1)`, [`${tag} failed step`]);
          });
          throw new Error('refused after writing');
        }),
      ).rejects.toThrow('refused after writing');
      await dataSource.transaction(async (manager) => {
        await manager.query(`INSERT INTO unit_probe (label) VALUES ($1)`, [`${tag} kept`]);
        events.afterCommit(manager, () => void ran.push('kept'));
        const [row] = await manager.query<{ user_id: string }[]>(
          `SELECT current_setting('hearth.user_id', true) AS user_id`,
        );
        named = row?.user_id;
      });
      await unit.commit();
    });
    const kept = await query<{ label: string }>(app, `SELECT label FROM unit_probe WHERE label LIKE $1`, [`${tag} %`]);
    expect(kept.rows.map((r) => r.label)).toEqual([`${tag} kept`]);
    expect(ran).toEqual(['kept']);
    expect(named).toBe(pat);
  });

  it('commits without waiting for the WAL flush only when asked, for that transaction only', async () => {
    const dataSource = app.hearth.app.get(DataSource);
    const pat = as['pat.police'].userId;
    const settings = async (options?: { synchronousCommit?: boolean }) => {
      let seen: { sync: string; user: string } | undefined;
      await UnitOfWork.scope(async () => {
        const unit = await UnitOfWork.open(dataSource);
        await unit.begin(pat, options);
        const [row] = await dataSource.query<{ sync: string; user: string }[]>(
          `SELECT current_setting('synchronous_commit') AS sync, current_setting('hearth.user_id', true) AS user`,
        );
        seen = row;
        await unit.commit();
      });
      return seen;
    };
    // The server's own setting (the test cluster does not flush at all; production does).
    const [{ server }] = (await dataSource.query<{ server: string }[]>(
      `SELECT current_setting('synchronous_commit') AS server`,
    )) as [{ server: string }];
    // In the same round trip as BEGIN and the user's name; the next transaction has the server's again.
    expect(await settings({ synchronousCommit: false })).toEqual({ sync: 'off', user: pat });
    expect(await settings()).toEqual({ sync: server, user: pat });
  });

  it('commits the DENIED entry of a refused read, and the READ entry of an allowed one', async () => {
    const dee = as['dee.school'];
    const allowed = await app.gql<{ family: { id: string } }>({
      query: `query ($f: ID!) { family(id: $f) { id } }`,
      variables: { f: families['NS-2026-0142'] },
      token: dee.accessToken,
    });
    expect(allowed.data?.family.id).toBe(families['NS-2026-0142']);
    expect(
      await count('audit_entries', `action = 'READ' AND actor_id = $1 AND family_id = $2`, [
        dee.userId,
        families['NS-2026-0142'],
      ]),
    ).toBeGreaterThan(0);
    const refused = await app.gql({
      query: `query ($f: ID!) { family(id: $f) { id } }`,
      variables: { f: families['NS-2026-0157'] },
      token: dee.accessToken,
    });
    expect(errorCode(refused)).toBe('NOT_FOUND');
    expect(
      await count(
        'audit_entries',
        `outcome = 'DENIED' AND actor_id = $1 AND subject_id = 'Query.family' AND family_id = $2`,
        [dee.userId, families['NS-2026-0157']],
      ),
    ).toBe(1);
  });

  it('rolls back a failed first root field alone; the fields beside it stand', async () => {
    const dee = as['dee.school'];
    const [ok, bad] = [families['NS-2026-0142']!, families['NS-2026-0157']!];
    const reads = () =>
      count('audit_entries', `action = 'READ' AND actor_id = $1 AND family_id = $2`, [dee.userId, ok]);
    const denials = () =>
      count(
        'audit_entries',
        `outcome = 'DENIED' AND actor_id = $1 AND subject_id = 'Query.family' AND family_id = $2`,
        [dee.userId, bad],
      );
    const [readsBefore, denialsBefore] = [await reads(), await denials()];
    // The refused field comes first: its service transaction is the operation's first.
    const res = await app.gql({
      query: `query ($bad: ID!, $ok: ID!) { a: family(id: $bad) { id } b: family(id: $ok) { id } }`,
      variables: { bad, ok },
      token: dee.accessToken,
    });
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors).toHaveLength(1);
    await eventually(async () => (await reads()) === readsBefore + 1);
    expect(await denials()).toBe(denialsBefore + 1);
  });

  describe('when the commit fails', () => {
    let sam: TestSocket;

    beforeAll(async () => {
      // A deferred constraint: checked at COMMIT, after every statement of the operation succeeded.
      await query(
        app,
        `CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.summary LIKE 'refused at commit%' THEN RAISE EXCEPTION 'refused at commit'; END IF;
           RETURN NULL;
         END $$`,
      );
      await query(
        app,
        `CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON timeline_events
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()`,
      );
      sam = await connectSocket(app.url, as['sam.social'].accessToken);
    });
    afterAll(() => sam.close());

    it('answers with an error, keeps nothing and pushes nothing', async () => {
      const family = families['NS-2026-0142']!;
      const post = (summary: string) =>
        app.gql<{ postEvent: { id: string } }>({
          query: POST,
          variables: { input: input(family, summary) },
          token: as['pat.police'].accessToken,
        });
      // Positive control: a post that commits rings sam's doorbell.
      const before = await post(unique('commits'));
      expect(errorCode(before)).toBeUndefined();
      await sam.next((x) => x.eventId === before.data!.postEvent.id, 15_000);

      const refused = unique('refused at commit');
      const res = await post(refused);
      expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
      expect(res.data?.postEvent ?? null).toBeNull();
      expect(await count('timeline_events', 'summary = $1', [refused])).toBe(0);

      // Another post after it arrives; nothing arrived about an event that does not exist.
      const after = await post(unique('commits again'));
      await sam.next((x) => x.eventId === after.data!.postEvent.id, 15_000);
      await eventually(async () => {
        const ids = sam.received.map((x) => x.eventId).filter((id): id is string => id !== undefined);
        return (await count('timeline_events', 'id = ANY($1::uuid[])', [ids])) === new Set(ids).size;
      });
    });
  });
});
