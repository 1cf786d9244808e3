// `npm run bench [-- --quick]`: Hearth against its baselines, measured in the same run.
// See bench/README.md and the design note BENCHMARKS.md.
import autocannon, { type Result } from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '@hearth/database';

const quick = process.argv.includes('--quick');
const RUNS = 3;
const CONNECTIONS = 16;
const WARMUP_S = quick ? 1 : 5;
const MEASURE_S = quick ? 3 : 20;
const EVENTS = 10_000;
const FAMILY_REFERENCE = 'NS-2026-0142';
const here = fileURLToPath(new URL('.', import.meta.url));
const resultsDir = join(here, '..', '..', 'bench', 'results');

interface Measure {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}
interface ScenarioResult {
  id: string;
  runs: Array<{ s: Measure; b1: Measure; ratio: number }>;
  median: { s: Measure; b1: Measure; ratio: number };
  targets: Array<{ name: string; value: number; limit: number; met: boolean }>;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function startChild(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, script), [], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (message) => resolve({ child, url: (message as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function post(url: string, body: unknown, token?: string): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { errors?: unknown };
  if (!res.ok || json.errors) throw new Error(`${url}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/** The deterministic read data set: 10 000 events on one family from its network's members. */
async function seedEvents(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const family = await client.query<{ id: string }>('SELECT id FROM families WHERE reference = $1', [
      FAMILY_REFERENCE,
    ]);
    const familyId = family.rows[0]?.id;
    if (!familyId) throw new Error(`demo family ${FAMILY_REFERENCE} not found`);
    // Event i: author i mod n among the network's members (ordered by email), 5 % RESTRICTED to
    // one member, 10 % AGENCY, the rest NETWORK, one every 105 minutes back over two years.
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
              now() - make_interval(mins => i * 105 + 60), now() - make_interval(mins => i * 105),
              a.agency_id, a.id,
              CASE WHEN i % 20 = 0 THEN 'RESTRICTED' WHEN i % 10 = 1 THEN 'AGENCY' ELSE 'NETWORK' END,
              CASE WHEN i % 20 = 0 THEN ARRAY[(SELECT b.id FROM authors b WHERE b.n = (i / 20) % b.total)] ELSE '{}'::uuid[] END,
              'Benchmark event ' || i, 'Body of benchmark event ' || i || ' ' || repeat('x', 200)
       FROM generate_series(1, $2::int) AS i
       CROSS JOIN kinds
       JOIN authors a ON a.n = i % a.total`,
      [familyId, EVENTS],
    );
    await client.query('ANALYZE');
    return familyId;
  } finally {
    await client.end();
  }
}

async function load(url: string, body: string, headers: Record<string, string>, seconds: number): Promise<Result> {
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

function measure(result: Result): Measure {
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

function medianRun<T extends { ratio: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.ratio - b.ratio)[Math.floor(runs.length / 2)]!;
}

async function main(): Promise<number> {
  const externalUrl = process.env['BENCH_DATABASE_URL'];
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  chmodSync(dataDir, 0o755);
  let embedded: EmbeddedPostgres | undefined;
  const children: ChildProcess[] = [];
  try {
    let databaseUrl: string;
    if (externalUrl) {
      databaseUrl = externalUrl;
    } else {
      log('starting embedded PostgreSQL');
      embedded = await startEmbeddedPostgres({ dataDir, relocateIfUnreachable: false, durable: true });
      await ensureDatabase(embedded.url('postgres'), 'hearth_bench');
      databaseUrl = embedded.url('hearth_bench');
    }

    log('starting Hearth (migrations, demo seed)');
    const hearth = await startChild('hearth-server.js', {
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      LOG_FORMAT: 'json',
      HEARTH_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      HEARTH_SEED_DEMO: 'true',
      HEARTH_SOCKET_ADAPTER: 'none',
      HEARTH_RUN_WORKER: 'false',
    });
    children.push(hearth.child);

    log(`inserting ${EVENTS} events on ${FAMILY_REFERENCE}`);
    const familyId = await seedEvents(databaseUrl);
    const login = (await post(`${hearth.url}/graphql`, {
      query: `mutation ($email: String!, $password: String!) {
        login(email: $email, password: $password) { accessToken user { id roles agency { id } } } }`,
      variables: { email: 'sam.social@demo.hearth', password: 'hearth-demo' },
    })) as { data: { login: { accessToken: string; user: { id: string; roles: string[]; agency: { id: string } } } } };
    const { accessToken, user } = login.data.login;

    const b1 = await startChild('b1-server.js', {
      DATABASE_URL: databaseUrl,
      B1_USER_ID: user.id,
      B1_AGENCY_ID: user.agency.id,
      B1_ROLES: user.roles.join(','),
    });
    children.push(b1.child);

    const sBody = JSON.stringify({
      query: `query ($familyId: ID!) { timeline(familyId: $familyId, first: 50) {
        edges { node { id kind summary redacted author { displayName } agency { name } } } } }`,
      variables: { familyId },
    });
    const b1Body = JSON.stringify({ familyId, first: 50 });
    const sHeaders = { authorization: `Bearer ${accessToken}` };
    // Both answer correctly, with the same page, before any load.
    const sPage = (await post(`${hearth.url}/graphql`, JSON.parse(sBody), accessToken)) as {
      data: { timeline: { edges: Array<{ node: { id: string; redacted: boolean } }> } };
    };
    const bPage = (await post(b1.url, JSON.parse(b1Body))) as typeof sPage;
    const sIds = sPage.data.timeline.edges.map((e) => e.node.id).join();
    const bIds = bPage.data.timeline.edges.map((e) => e.node.id).join();
    if (sIds !== bIds) throw new Error('S and B1 return different timeline pages');
    log(
      `page: ${sPage.data.timeline.edges.length} events, ${sPage.data.timeline.edges.filter((e) => e.node.redacted).length} redacted`,
    );

    const pgVersion = await (async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return (
          (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown'
        );
      } finally {
        await client.end();
      }
    })();
    const machine: Machine = {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: pgVersion,
      database: externalUrl ? 'BENCH_DATABASE_URL' : 'embedded',
    };
    log(`machine: ${JSON.stringify(machine)}`);

    const runs: ScenarioResult['runs'] = [];
    for (let run = 1; run <= RUNS; run++) {
      // S and B1 alternate within a run so that both see the same machine.
      await load(`${hearth.url}/graphql`, sBody, sHeaders, WARMUP_S);
      const s = measure(await load(`${hearth.url}/graphql`, sBody, sHeaders, MEASURE_S));
      await load(b1.url, b1Body, {}, WARMUP_S);
      const b = measure(await load(b1.url, b1Body, {}, MEASURE_S));
      const ratio = s.requestsPerSecond / b.requestsPerSecond;
      runs.push({ s, b1: b, ratio });
      log(
        `read run ${run}: S ${s.requestsPerSecond.toFixed(0)} req/s p50 ${s.p50} ms p99 ${s.p99} ms | B1 ${b.requestsPerSecond.toFixed(0)} req/s p50 ${b.p50} ms p99 ${b.p99} ms | S/B1 ${ratio.toFixed(2)}`,
      );
    }
    const median = medianRun(runs);
    const read: ScenarioResult = {
      id: 'read',
      runs,
      median,
      targets: [
        { name: 'S/B1 throughput', value: median.ratio, limit: 0.5, met: median.ratio >= 0.5 },
        { name: 'S p50 (ms)', value: median.s.p50, limit: 6, met: median.s.p50 <= 6 },
        {
          name: 'S errors',
          value: median.s.errors + median.s.non2xx,
          limit: 0,
          met: median.s.errors + median.s.non2xx === 0,
        },
        {
          name: 'B1 errors',
          value: median.b1.errors + median.b1.non2xx,
          limit: 0,
          met: median.b1.errors + median.b1.non2xx === 0,
        },
      ],
    };
    const scenarios = [read];

    const report = {
      at: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
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
    const markdown = toMarkdown(report.mode, machine, scenarios);
    writeFileSync(join(resultsDir, 'latest.md'), markdown);
    process.stdout.write(markdown);

    const missed = scenarios.flatMap((sc) => sc.targets.filter((t) => !t.met).map((t) => `${sc.id}: ${t.name}`));
    if (missed.length > 0) {
      log(`targets missed: ${missed.join('; ')}${quick ? ' (quick run: reported only)' : ''}`);
      return quick ? 0 : 1;
    }
    return 0;
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Machine {
  cores: number;
  cpu: string;
  node: string;
  postgres: string;
  database: string;
}

function toMarkdown(mode: string, machine: Machine, scenarios: ScenarioResult[]): string {
  const lines = [
    `# Hearth benchmarks (${mode})`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres} (${machine.database}); ${CONNECTIONS} connections, median of ${RUNS} runs of ${MEASURE_S} s.`,
    '',
    '| scenario | S req/s | S p50 ms | S p99 ms | B1 req/s | B1 p50 ms | B1 p99 ms | S/B1 | targets |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const sc of scenarios) {
    const { s, b1, ratio } = sc.median;
    const targets = sc.targets.map(
      (t) => `${t.met ? 'met' : 'MISSED'}: ${t.name} ${round(t.value)} (limit ${t.limit})`,
    );
    lines.push(
      `| ${sc.id} | ${s.requestsPerSecond.toFixed(0)} | ${s.p50} | ${s.p99} | ${b1.requestsPerSecond.toFixed(0)} | ${b1.p50} | ${b1.p99} | ${ratio.toFixed(2)} | ${targets.join('; ')} |`,
    );
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
