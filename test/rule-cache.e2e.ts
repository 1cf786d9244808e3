import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * The enabled rules are kept in memory by each API process. A change made through one process is
 * applied by the next post through any other: the cache is checked against the database in the
 * posting transaction, not told by a message that may come late.
 */
const DOMESTIC_ABUSE_RULE = '6f1c0d2e-0002-4c1a-9a51-000000000002';
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

describe('two API processes on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let on: { a: Record<DemoUser, Session>; b: Record<DemoUser, Session> };
  let familyId: string;
  let childId: string;

  beforeAll(async () => {
    a = await startTestApp({ HEARTH_RUN_WORKER: 'false' });
    b = await startTestApp({ HEARTH_RUN_WORKER: 'false' }, { shareDatabaseOf: a });
    const worldA = await demoWorld(a);
    on = { a: worldA.sessions, b: (await demoWorld(b)).sessions };
    familyId = worldA.families['NS-2026-0142']!;
    const { rows } = await query<{ person_id: string }>(
      a,
      `SELECT person_id FROM family_memberships WHERE family_id = $1 AND role = 'CHILD' LIMIT 1`,
      [familyId],
    );
    childId = rows[0]!.person_id;
  }, 180_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** A police report of domestic abuse concerning a child, posted through node B: alerts it raised. */
  async function postThroughB(summary: string): Promise<number> {
    const { postEvent } = await b.gqlData<{ postEvent: { id: string } }>({
      query: POST,
      variables: {
        input: {
          familyId,
          kind: 'DOMESTIC_ABUSE_INCIDENT',
          severity: 'HIGH',
          occurredAt: new Date().toISOString(),
          summary,
          subjectIds: [childId],
        },
      },
      token: on.b['pat.police'].accessToken,
    });
    expect(postEvent.id).toBeTruthy();
    const { rows } = await query<{ n: number }>(
      a,
      `SELECT count(*)::int AS n FROM alerts WHERE rule_id = $1 AND $2 = ANY(matched_event_ids)`,
      [DOMESTIC_ABUSE_RULE, postEvent.id],
    );
    return rows[0]!.n;
  }

  async function throughA(mutation: string, variables: Record<string, unknown>): Promise<void> {
    await a.gqlData({ query: mutation, variables, token: on.a['pam.partner'].accessToken });
  }

  it('applies a rule disabled, enabled or changed through node A to the next post through node B', async () => {
    // Node B has the rule in memory and raises with it.
    expect(await postThroughB('Before any change')).toBe(1);

    await throughA(`mutation ($id: ID!) { setRuleEnabled(id: $id, enabled: false) { enabled } }`, {
      id: DOMESTIC_ABUSE_RULE,
    });
    expect(await postThroughB('Rule disabled on A')).toBe(0);

    await throughA(`mutation ($id: ID!) { setRuleEnabled(id: $id, enabled: true) { enabled } }`, {
      id: DOMESTIC_ABUSE_RULE,
    });
    expect(await postThroughB('Rule enabled again on A')).toBe(1);

    // A new version that no longer matches police reports: applied at once on B too.
    const { rules } = await a.gqlData<{ rules: { id: string; name: string; definition: string }[] }>({
      query: `{ rules { id name definition } }`,
      token: on.a['pam.partner'].accessToken,
    });
    const rule = rules.find((r) => r.id === DOMESTIC_ABUSE_RULE)!;
    const definition = JSON.parse(rule.definition) as Record<string, unknown>;
    await throughA(`mutation ($input: RuleInput!) { upsertRule(input: $input) { version } }`, {
      input: {
        id: rule.id,
        name: rule.name,
        definition: JSON.stringify({ ...definition, postedByAgencyKinds: ['HEALTH'] }),
      },
    });
    expect(await postThroughB('Rule narrowed on A')).toBe(0);
    await throughA(`mutation ($input: RuleInput!) { upsertRule(input: $input) { version } }`, {
      input: { id: rule.id, name: rule.name, definition: rule.definition },
    });
    expect(await postThroughB('Rule restored on A')).toBe(1);
  });
});
