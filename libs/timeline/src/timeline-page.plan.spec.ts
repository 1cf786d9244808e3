import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { defineAbility, Role } from '@hearth/authz';
import { createTestDatabase, type TestDatabase } from '@hearth/testing';
import { pageStatement } from './timeline-event.repository.js';

/*
 * The timeline page is a prepared statement, so PostgreSQL may run it with a generic plan (one
 * plan for any parameters). Under that plan the first page and a deep page must both walk
 * timeline_events_family_page_idx from their key and stop at the page's end: the family and the
 * cursor are conditions of the index scan, and no row is read only to be thrown away.
 */

const EVENTS = 3000;
const PAGE = 50;

let database: TestDatabase;
let client: pg.Client;
let familyId: string;
let ability: ReturnType<typeof defineAbility>;

beforeAll(async () => {
  database = await createTestDatabase({ demo: true });
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const family = await client.query<{ id: string }>(`SELECT id FROM families WHERE reference = 'NS-2026-0142'`);
  familyId = family.rows[0]!.id;
  const sam = await client.query<{ id: string; agency_id: string }>(
    `SELECT id, agency_id FROM users WHERE email = 'sam.social@demo.hearth'`,
  );
  // Authors in turn from the network, 5 % RESTRICTED, 10 % AGENCY, one every 105 minutes.
  await client.query(
    `WITH authors AS (
       SELECT u.id, u.agency_id, row_number() OVER (ORDER BY u.email) - 1 AS n, count(*) OVER () AS total
       FROM network_members m JOIN users u ON u.id = m.user_id
       WHERE m.family_id = $1 AND m.removed_at IS NULL
     )
     INSERT INTO timeline_events (family_id, kind, severity, occurred_at, recorded_at, agency_id, author_id, visibility,
                                  audience_user_ids, summary, body)
     SELECT $1, 'NOTE', 'INFO', now() - make_interval(mins => i * 105 + 60), now() - make_interval(mins => i * 105),
            a.agency_id, a.id,
            CASE WHEN i % 20 = 0 THEN 'RESTRICTED' WHEN i % 10 = 1 THEN 'AGENCY' ELSE 'NETWORK' END,
            CASE WHEN i % 20 = 0 THEN ARRAY[a.id] ELSE '{}'::uuid[] END,
            'Event ' || i, 'Body of event ' || i
     FROM generate_series(1, $2::int) AS i
     JOIN authors a ON a.n = i % a.total`,
    [familyId, EVENTS],
  );
  await client.query('ANALYZE');
  ability = defineAbility({
    principal: { userId: sam.rows[0]!.id, agencyId: sam.rows[0]!.agency_id, roles: [Role.PRACTITIONER], sessionId: '' },
    memberOf: [familyId],
    leads: [familyId],
    grantedFor: [],
  });
}, 120_000);

afterAll(async () => {
  await client?.end();
  await database?.drop();
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (Array.isArray(value)) return `'{${(value as string[]).join(',')}}'`;
  return `'${(value as string).replaceAll("'", "''")}'`;
}

/** The statement's plan under `force_generic_plan`, run (EXPLAIN ANALYZE) with these parameters. */
async function genericPlan(statement: { sql: string; params: unknown[] }, name: string): Promise<PlanNode> {
  await client.query(`PREPARE ${name} AS ${statement.sql}`);
  await client.query('SET plan_cache_mode = force_generic_plan');
  try {
    const explained = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE ${name}(${statement.params.map(literal).join(', ')})`,
    );
    return explained.rows[0]!['QUERY PLAN'][0].Plan;
  } finally {
    await client.query('RESET plan_cache_mode');
  }
}

function expectIndexWalk(plan: PlanNode, cursor: boolean): void {
  const all = nodes(plan);
  const scans = all.filter((n) => n['Index Name'] === 'timeline_events_family_page_idx');
  expect(scans).toHaveLength(1);
  const scan = scans[0]!;
  expect(scan['Node Type']).toBe('Index Scan');
  expect(scan['Index Cond']).toContain('family_id');
  if (cursor) expect(scan['Index Cond']).toContain('recorded_at');
  // It stops at the page's end (one more row tells whether there is a next page).
  expect(scan['Actual Rows']).toBe(PAGE + 1);
  expect(scan['Rows Removed by Filter'] ?? 0).toBe(0);
}

it('reads the first page from the index under a generic plan, discarding nothing', async () => {
  const plan = await genericPlan(pageStatement(ability, familyId, undefined, PAGE + 1), 'first_page');
  expectIndexWalk(plan, false);
});

it('reads a deep page from the index under a generic plan, from the cursor on, discarding nothing', async () => {
  const deep = await client.query<{ recorded_at: Date; id: string }>(
    `SELECT recorded_at, id FROM timeline_events WHERE family_id = $1
     ORDER BY recorded_at DESC, id DESC OFFSET 2500 LIMIT 1`,
    [familyId],
  );
  const after = [deep.rows[0]!.recorded_at.toISOString(), deep.rows[0]!.id];
  const plan = await genericPlan(pageStatement(ability, familyId, after, PAGE + 1), 'deep_page');
  expectIndexWalk(plan, true);
});
