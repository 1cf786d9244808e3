import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { defineAbility, Role } from '@hearth/authz';
import { createTestDatabase, type TestDatabase } from '@hearth/testing';
import { Severity } from './timeline.enums.js';
import { pageStatement, windowStatement, type EventWindowQuery } from './timeline-event.repository.js';

/*
 * The timeline's hot statements are prepared, so PostgreSQL may run them with a generic plan (one
 * plan for any parameters). Under that plan the first page and a deep page must both walk
 * timeline_events_family_page_idx from their key and stop at the page's end: the family and the
 * cursor are conditions of the index scan, and no row is read only to be thrown away. A rule's
 * window, once its outcome is known, must cost a few rows however busy the family.
 */

const EVENTS = 3000;
const PAGE = 50;
/** MEDIUM concerns in the last 20 days, on top of the notes: a busy rule window. */
const CONCERNS = 2000;

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
  await client.query(
    `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, recorded_at, agency_id, author_id, visibility, summary)
     SELECT $1, 'CONCERN', 'MEDIUM', now() - make_interval(mins => i * 14), now(), $2, $3, 'NETWORK', 'Concern ' || i
     FROM generate_series(1, $4::int) AS i`,
    [familyId, sam.rows[0]!.agency_id, sam.rows[0]!.id, CONCERNS],
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
  'Relation Name'?: string;
  'Actual Loops': number;
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

/** Rows read from timeline_events by every scan of the plan, kept or filtered out. */
function eventRowsRead(plan: PlanNode): number {
  return nodes(plan)
    .filter((n) => n['Relation Name'] === 'timeline_events')
    .reduce((sum, n) => sum + (n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0)) * n['Actual Loops'], 0);
}

it("reads a rule's window once, and only its first event's few rows when that window's outcome is known", async () => {
  const window: EventWindowQuery = {
    familyId,
    kinds: ['CONCERN', 'INCIDENT', 'MISSING_EPISODE', 'DOMESTIC_ABUSE_INCIDENT', 'INJURY'],
    severityOrder: Object.values(Severity),
    minSeverity: Severity.MEDIUM,
    at: new Date(),
    days: 30,
    shown: 50,
    unlessFirst: null,
  };
  // Unknown: every concern of the window is counted (the positive control), the demo's own too.
  const counted = windowStatement(window);
  const [all] = (await client.query<{ n: number; first: Date; ids: string[] }>(counted.sql, counted.params)).rows;
  const expected = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM timeline_events WHERE family_id = $1 AND kind = ANY($2)
       AND severity IN ('MEDIUM', 'HIGH', 'CRITICAL') AND occurred_at > now() - interval '30 days' AND amends_event_id IS NULL`,
    [familyId, window.kinds],
  );
  expect(all!.n).toBe(expected.rows[0]!.n);
  expect(all!.n).toBeGreaterThanOrEqual(CONCERNS);
  expect(all!.ids).toHaveLength(50);
  expect(eventRowsRead(await genericPlan(counted, 'window_counted'))).toBeGreaterThanOrEqual(CONCERNS);

  // Known: its first event is found, from the kind-and-time index, and nothing is counted.
  const known = windowStatement({ ...window, unlessFirst: all!.first });
  const [first] = (await client.query<{ n: number; first: Date; ids: string[] | null }>(known.sql, known.params)).rows;
  expect(first).toEqual({ first: all!.first, n: 0, agencies: 0, ids: null, kinds: null });
  expect(eventRowsRead(await genericPlan(known, 'window_known'))).toBeLessThanOrEqual(window.kinds.length);
});
