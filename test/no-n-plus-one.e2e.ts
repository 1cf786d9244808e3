import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource, type QueryRunner } from 'typeorm';
import { demoWorld, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * No N+1 (issue 5): a timeline page with authors, agencies, subjects, family, replies,
 * acknowledgements and amendments costs a fixed number of SQL statements, whatever its size.
 *
 * How we count: every statement Hearth sends goes through a TypeORM QueryRunner (the entity
 * manager, `dataSource.query` and transactions all create one from the driver), so the test
 * wraps `driver.createQueryRunner` of the app's own DataSource and counts each `query` call,
 * BEGIN and COMMIT included. This is exact and in-process, unlike pg_stat_database (per
 * transaction, shared with every other connection) or pg_stat_statements (an extension the
 * embedded server does not load). Background loops (alert scheduler, audit sealer) may issue
 * statements at any moment, so each size is measured a few times and the smallest count kept.
 */

const EVENTS = 65;
const PAGE = `query ($f: ID!, $first: Int) { timeline(familyId: $f, first: $first) {
  edges { node { id kind severity visibility redacted summary body occurredAt recordedAt
    agency { id name kind }
    author { userId displayName jobTitle phone email agency { name } }
    family { id reference status protectionStatus lead { displayName } }
    subjects { id givenName familyName dateOfBirth }
    replies { id body createdAt author { displayName agency { name } } }
    acknowledgedBy { userId displayName agency { name } }
    amends { id summary author { displayName } agency { name } subjects { id } } } }
  pageInfo { hasNextPage endCursor } } }`;

describe('a timeline page costs a fixed number of statements', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let familyId: string;
  let statements = 0;
  let transactions = 0;
  let checkouts = 0;
  let counting = false;
  const seen: string[] = [];

  beforeAll(async () => {
    // No background loops (sealer, scheduler) on this app: only the request's statements are counted.
    app = await startTestApp({ HEARTH_RUN_WORKER: 'false' });
    ({ sessions: as } = await demoWorld(app));
    const sam = as['sam.social'].accessToken;
    const { createFamily } = await app.gqlData<{ createFamily: { id: string } }>({
      query: `mutation { createFamily(input: { reference: "NP-0001" }) { id } }`,
      token: sam,
    });
    familyId = createFamily.id;
    const people: string[] = [];
    for (const givenName of ['Ava', 'Ben', 'Cal']) {
      const { addPerson } = await app.gqlData<{ addPerson: { id: string } }>({
        query: `mutation ($input: AddPersonInput!) { addPerson(input: $input) { id } }`,
        variables: { input: { familyId, role: 'CHILD', givenName, familyName: 'Plenty', dateOfBirth: '2018-05-01' } },
        token: sam,
      });
      people.push(addPerson.id);
    }
    const authors = ['sam.social', 'pat.police', 'dee.school', 'hal.health'] as const;
    for (const who of authors.slice(1))
      await app.gqlData({
        query: `mutation ($f: ID!, $u: ID!) { addNetworkMember(familyId: $f, userId: $u) { role } }`,
        variables: { f: familyId, u: as[who].userId },
        token: sam,
      });
    for (let i = 0; i < EVENTS; i++) {
      const author = authors[i % authors.length]!;
      const { postEvent } = await app.gqlData<{ postEvent: { id: string } }>({
        query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
        variables: {
          input: {
            familyId,
            kind: 'NOTE',
            severity: 'INFO',
            occurredAt: new Date(Date.now() - (EVENTS - i) * 60_000).toISOString(),
            summary: `Note ${i}`,
            body: `Body ${i}`,
            subjectIds: people.slice(0, 1 + (i % 3)),
            visibility: i % 5 === 0 ? 'AGENCY' : 'NETWORK',
          },
        },
        token: as[author].accessToken,
      });
      const other = authors[(i + 1) % authors.length]!;
      if (i % 5 !== 0) {
        await app.gqlData({
          query: `mutation ($e: ID!) { replyToEvent(eventId: $e, body: "Noted.") { id } }`,
          variables: { e: postEvent.id },
          token: as[other].accessToken,
        });
        await app.gqlData({
          query: `mutation ($e: ID!) { acknowledgeEvent(eventId: $e) { id } }`,
          variables: { e: postEvent.id },
          token: as[other].accessToken,
        });
      }
      if (i % 7 === 1)
        await app.gqlData({
          query: `mutation ($e: ID!) { amendEvent(eventId: $e, input: { summary: "Corrected", reason: "Typo" }) { id } }`,
          variables: { e: postEvent.id },
          token: as[author].accessToken,
        });
    }

    const driver = app.hearth.app.get(DataSource).driver;
    const create = driver.createQueryRunner.bind(driver);
    driver.createQueryRunner = (mode) => {
      const runner: QueryRunner = create(mode);
      const original = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
      runner.query = ((...args: unknown[]) => {
        if (counting) {
          statements++;
          if (args[0] === 'START TRANSACTION') transactions++;
          if (process.env['HEARTH_SHOW_STATEMENTS']) seen.push(String(args[0]).replace(/\s+/g, ' ').slice(0, 160));
        }
        return original(...args);
      }) as QueryRunner['query'];
      return runner;
    };
    // Every connection taken from the pool, whether by a QueryRunner or a bare `dataSource.query`.
    const pool = driver as unknown as { obtainMasterConnection(): Promise<unknown> };
    const obtain = pool.obtainMasterConnection.bind(pool);
    pool.obtainMasterConnection = () => {
      if (counting) checkouts++;
      return obtain();
    };
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  /** Statements for one page of `first` events, as pat.police: the fewest of three runs. */
  async function statementsFor(first: number): Promise<number> {
    const counts: number[] = [];
    for (let run = 0; run < 3; run++) {
      statements = 0;
      counting = true;
      const data = await app.gqlData<{ timeline: { edges: { node: { replies: unknown[]; amends: unknown } }[] } }>({
        query: PAGE,
        variables: { f: familyId, first },
        token: as['pat.police'].accessToken,
      });
      counting = false;
      expect(data.timeline.edges).toHaveLength(first);
      expect(data.timeline.edges.some((e) => e.node.replies.length > 0)).toBe(true);
      expect(data.timeline.edges.some((e) => e.node.amends !== null)).toBe(true);
      counts.push(statements);
    }
    return Math.min(...counts);
  }

  it('issues as many statements for 50 events as for 10', async () => {
    const ten = await statementsFor(10);
    const fifty = await statementsFor(50);
    // Visible in the test output, for the record.
    process.stdout.write(`timeline page: ${ten} statements for first: 10, ${fifty} for first: 50\n`);
    expect(ten).toBeGreaterThan(0);
    expect(fifty).toBe(ten);
  });

  it('posts an event to a network of five in one transaction and a bounded number of statements', async () => {
    const counts: { statements: number; transactions: number; checkouts: number }[] = [];
    for (let run = 0; run < 3; run++) {
      statements = 0;
      transactions = 0;
      checkouts = 0;
      seen.length = 0;
      counting = true;
      const { postEvent } = await app.gqlData<{ postEvent: { id: string } }>({
        query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
        variables: {
          input: {
            familyId,
            kind: 'CONCERN',
            severity: 'LOW',
            occurredAt: new Date().toISOString(),
            summary: `Counted ${run}`,
          },
        },
        token: as['pat.police'].accessToken,
      });
      counting = false;
      expect(postEvent.id).toBeTruthy();
      counts.push({ statements, transactions, checkouts });
      if (process.env['HEARTH_SHOW_STATEMENTS']) process.stdout.write(`${seen.join('\n')}\n\n`);
    }
    const fewest = counts.reduce((a, b) => (b.statements < a.statements ? b : a));
    process.stdout.write(
      `postEvent: ${fewest.statements} statements, ${fewest.transactions} transactions, ${fewest.checkouts} pool checkouts\n`,
    );
    // Outside the post: the session check and the two mutation limits. The post, in one transaction:
    // the caller's relationships, the family, the event with its subjects and default visibility
    // (one statement), its audit, the audience, the notify outbox (three), the rules' fingerprint
    // and their evaluation, the inbox rows just before COMMIT. After it, on its own connection, the
    // doorbell's re-check. The answer is the inserted row: no re-read, no second audit entry. A
    // statement per member or per rule beyond this would be an N+1.
    expect(fewest.statements).toBeLessThanOrEqual(18);
    expect(fewest.transactions).toBe(1);
    expect(fewest.checkouts).toBeLessThanOrEqual(5);
  });
});
