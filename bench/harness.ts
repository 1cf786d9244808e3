// What every scenario needs: the database (embedded, with pg_stat_statements), the servers in
// child processes, CPU time from /proc, statement and transaction counts from PostgreSQL.
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '@hearth/database';

export const here = fileURLToPath(new URL('.', import.meta.url));
/** The repository root (the harness runs from .bench-build/bench). */
export const root = join(here, '..', '..');

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

export interface Database {
  url: string;
  /** The postmaster's pid when the server is ours (CPU is read from /proc), else undefined. */
  postmasterPid(): number | undefined;
  stop(): Promise<void>;
}

/**
 * An embedded PostgreSQL (durable: fsync on) with pg_stat_statements loaded, or
 * BENCH_DATABASE_URL. The embedded server is started, told to preload the extension, and started
 * again on the same cluster.
 */
export async function startDatabase(dataDir: string, external: string | undefined): Promise<Database> {
  if (external) {
    const client = new pg.Client({ connectionString: external });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } catch (error) {
      log(`pg_stat_statements is not available on BENCH_DATABASE_URL: ${String(error)}`);
    } finally {
      await client.end();
    }
    return { url: external, postmasterPid: () => undefined, stop: () => Promise.resolve() };
  }
  const options = { dataDir, relocateIfUnreachable: false, durable: true };
  let embedded: EmbeddedPostgres = await startEmbeddedPostgres(options);
  const admin = new pg.Client({ connectionString: embedded.url('postgres') });
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  if (process.env['BENCH_STATEMENTS']) await admin.query(`ALTER SYSTEM SET pg_stat_statements.track_planning = on`);
  await admin.end();
  await embedded.stop();
  embedded = await startEmbeddedPostgres(options);
  await ensureDatabase(embedded.url('postgres'), 'hearth_bench');
  const url = embedded.url('hearth_bench');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await client.end();
  const clusterDir = embedded.clusterDir;
  return {
    url,
    postmasterPid: () => {
      const file = join(clusterDir, 'postmaster.pid');
      return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
    },
    stop: () => embedded.stop(),
  };
}

export interface Child {
  child: ChildProcess;
  url: string;
  pid: number;
  /** Sends a message and waits for the answer of the same type. */
  ask<T>(message: { type: string } & Record<string, unknown>): Promise<T>;
}

export function startChild(
  script: string,
  env: Record<string, string>,
  execArgv: string[] = [],
  args: string[] = [],
): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, script), args, {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      execArgv: ['--enable-source-maps', ...execArgv],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const failed = (code: number | null) => reject(new Error(`${script} exited with ${code} before it was ready`));
    child.once('exit', failed);
    child.once('message', (message) => {
      child.removeListener('exit', failed);
      const ask = <T>(question: { type: string } & Record<string, unknown>) =>
        new Promise<T>((answer, fail) => {
          const onMessage = (reply: unknown) => {
            const r = reply as { type?: string; error?: string };
            if (r.type !== question.type) return;
            child.removeListener('message', onMessage);
            if (r.error) fail(new Error(r.error));
            else answer(reply as T);
          };
          child.on('message', onMessage);
          child.send(question);
        });
      resolve({ child, url: (message as { url: string }).url, pid: child.pid!, ask });
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** An Ed25519 key pair and the secrets production needs, made for this run only. */
export function productionSecrets(): Record<string, string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    HEARTH_JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    HEARTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    HEARTH_IDENTIFIER_HASH_KEY: randomBytes(32).toString('hex'),
    HEARTH_METRICS_TOKEN: randomBytes(24).toString('hex'),
  };
}

const TICKS_PER_SECOND = 100;

/** utime + stime (+ cutime + cstime: children already reaped) of a process, in ms; 0 when gone. */
function cpuOf(pid: number, withChildren: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 of proc(5), counted from field 3 (state) at index 0.
    const own = Number(f[11]) + Number(f[12]);
    const reaped = withChildren ? Number(f[13]) + Number(f[14]) : 0;
    return ((own + reaped) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** CPU ms of a Node process. */
export function nodeCpu(pid: number): number {
  return cpuOf(pid, false);
}

/**
 * CPU ms of the whole PostgreSQL server: the postmaster, its live backends, and the backends it
 * already reaped (its cutime + cstime), so connections that close within a window still count.
 */
export function postgresCpu(postmaster: number | undefined): number | undefined {
  if (postmaster === undefined) return undefined;
  let total = cpuOf(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (parentOf(entry) === postmaster) total += cpuOf(Number(entry), false);
  }
  return total;
}

export interface DbCounters {
  statements: number;
  transactions: number;
}

/** Statements (pg_stat_statements, BEGIN/COMMIT excluded) and committed transactions so far. */
export async function dbCounters(client: pg.Client): Promise<DbCounters> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const stmts = await client
    .query<{ n: string }>(
      `SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = current_database() AND s.query !~* '^\\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SELECT pg_stat|SELECT coalesce\\(sum\\(calls)'`,
    )
    .then((r) => Number(r.rows[0]?.n ?? 0))
    .catch(() => Number.NaN);
  const xacts = await client.query<{ n: string }>(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return { statements: stmts, transactions: Number(xacts.rows[0]?.n ?? 0) };
}

interface StatementTotals {
  query: string;
  calls: number;
  execMs: number;
  planMs: number;
}

/** Every statement's totals so far (pg_stat_statements), by query id. */
async function statementTotals(client: pg.Client): Promise<Map<string, StatementTotals>> {
  const r = await client.query<{ id: string; query: string; calls: string; exec: number; plan: number }>(
    `SELECT s.userid::text || ':' || s.queryid::text AS id, s.query, s.calls, s.total_exec_time AS exec, s.total_plan_time AS plan
     FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()`,
  );
  return new Map(
    r.rows.map((row) => [row.id, { query: row.query, calls: Number(row.calls), execMs: row.exec, planMs: row.plan }]),
  );
}

/**
 * With `BENCH_STATEMENTS` set, what each statement cost over a window, per request: calls, and the
 * time PostgreSQL spent executing and planning it (planning is tracked only then), the costliest
 * first.
 */
function logStatements(
  label: string,
  before: Map<string, StatementTotals>,
  after: Map<string, StatementTotals>,
  requests: number,
): void {
  const rows = [...after].map(([id, a]) => {
    const b = before.get(id) ?? { calls: 0, execMs: 0, planMs: 0 };
    return { query: a.query, calls: a.calls - b.calls, execMs: a.execMs - b.execMs, planMs: a.planMs - b.planMs };
  });
  const costly = rows.filter((r) => r.calls > 0).sort((x, y) => y.execMs + y.planMs - (x.execMs + x.planMs));
  log(`${label}: statements per request (calls, exec ms, plan ms), ${requests} requests`);
  for (const r of costly.slice(0, 30))
    log(
      `  ${(r.calls / requests).toFixed(2)}  ${(r.execMs / requests).toFixed(3)}  ${(r.planMs / requests).toFixed(3)}  ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`,
    );
}

/** Everything a window of load cost: CPU of the server process and of PostgreSQL, statements, transactions. */
export class CostMeter {
  constructor(
    private readonly stats: pg.Client,
    private readonly postmaster: () => number | undefined,
  ) {}

  /**
   * Waits (up to 15 s) until no other backend is running a statement: what a previous phase left
   * queued (a closed loop stops sending, not the server working) is not counted in the next.
   */
  async settle(): Promise<void> {
    for (let i = 0; i < 150; i++) {
      const r = await this.stats.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state NOT IN ('idle')`,
      );
      if ((r.rows[0]?.n ?? 0) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async start(serverPid: number | undefined, label?: string): Promise<(requests?: number) => Promise<Cost>> {
    await this.settle();
    const breakdown = Boolean(process.env['BENCH_STATEMENTS'] && label);
    const totals0 = breakdown ? await statementTotals(this.stats) : undefined;
    const db0 = await dbCounters(this.stats);
    const node0 = serverPid ? nodeCpu(serverPid) : 0;
    const pg0 = postgresCpu(this.postmaster());
    return async (requests?: number) => {
      const node1 = serverPid ? nodeCpu(serverPid) : 0;
      const pg1 = postgresCpu(this.postmaster());
      // Backends report their transaction counts at most once a second.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const db1 = await dbCounters(this.stats);
      if (totals0 && label && requests) logStatements(label, totals0, await statementTotals(this.stats), requests);
      return {
        nodeCpuMs: serverPid ? node1 - node0 : undefined,
        pgCpuMs: pg0 !== undefined && pg1 !== undefined ? pg1 - pg0 : undefined,
        statements: db1.statements - db0.statements,
        transactions: db1.transactions - db0.transactions,
      };
    };
  }
}

export interface Cost {
  nodeCpuMs: number | undefined;
  pgCpuMs: number | undefined;
  statements: number;
  transactions: number;
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function post<T = unknown>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { errors?: unknown };
  if (!res.ok || json.errors) throw new Error(`${url}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json as T;
}
