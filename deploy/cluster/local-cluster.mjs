// `npm run cluster:local`: two API processes and a worker on this machine, on loopback ports,
// over one database (an embedded PostgreSQL in .data/cluster, or DATABASE_URL), to try
// multi-node behaviour without containers: a post on one node rings a socket on the other.
//
//   npm run cluster:local                        # nodes on 3001 and 3002
//   HEARTH_CLUSTER_PORTS=3105,3106 npm run cluster:local
//   DATABASE_URL=postgres://… npm run cluster:local
//
// The worker runs the scheduled work (audit sealer, escalation, ABSENCE rules) and rings the API
// nodes' sockets through the emitter; the API nodes run none of it (HEARTH_RUN_WORKER=false).
// Sockets cross nodes through PostgreSQL LISTEN/NOTIFY, or Redis when REDIS_URL is set. Ctrl-C
// stops it all.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = process.env;
// The compiled code: dist/ (npm run build), or the test run's build.
const build = resolve(root, env.HEARTH_CLUSTER_BUILD || 'dist');
const dataDir = resolve(root, env.HEARTH_DATA_DIR || '.data/cluster');
const ports = (env.HEARTH_CLUSTER_PORTS || '3001,3002').split(',').map((p) => Number(p.trim()));
if (ports.length !== 2 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) {
  fail('HEARTH_CLUSTER_PORTS must be two ports, such as 3001,3002');
}
if (!existsSync(join(build, 'apps/api/src/main.js'))) fail(`no compiled Hearth in ${build}: run npm run build`);

const say = (line) => process.stdout.write(`[cluster] ${line}\n`);
function fail(line) {
  process.stderr.write(`[cluster] ${line}\n`);
  process.exit(1);
}

/** Nodes of one deployment share their signing keys: made once, kept in the data directory. */
function sharedKeys() {
  const dir = join(dataDir, 'keys');
  const privatePath = join(dir, 'jwt-ed25519.key');
  const publicPath = join(dir, 'jwt-ed25519.pub');
  if (!existsSync(privatePath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return {
    HEARTH_JWT_PRIVATE_KEY: readFileSync(privatePath, 'utf8'),
    HEARTH_JWT_PUBLIC_KEY: readFileSync(publicPath, 'utf8'),
  };
}

const database = await import(pathToFileURL(join(build, 'libs/database/src/index.js')).href);
let embedded;
let databaseUrl = env.DATABASE_URL;
if (!databaseUrl) {
  mkdirSync(dataDir, { recursive: true });
  embedded = await database.startEmbeddedPostgres({
    dataDir,
    relocateIfUnreachable: !env.HEARTH_DATA_DIR,
    durable: true,
    notice: (line) => say(line),
  });
  await database.ensureDatabase(embedded.url('postgres'), database.EMBEDDED_DATABASE_NAME);
  databaseUrl = embedded.url(database.EMBEDDED_DATABASE_NAME);
  say(`embedded PostgreSQL in ${embedded.clusterDir}`);
}

const children = new Set();
let stopping = false;
const origins = ports.flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`]).join(',');
const common = {
  PATH: env.PATH ?? '',
  NODE_ENV: env.NODE_ENV || 'development',
  LOG_LEVEL: env.LOG_LEVEL || 'info',
  LOG_FORMAT: 'json',
  HEARTH_DATA_DIR: dataDir,
  DATABASE_URL: databaseUrl,
  HEARTH_MIGRATIONS_RUN: 'false',
  HEARTH_SEED_DEMO: 'false',
  HEARTH_ALLOWED_ORIGINS: env.HEARTH_ALLOWED_ORIGINS || origins,
  ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}),
  HEARTH_SOCKET_ADAPTER: env.HEARTH_SOCKET_ADAPTER || (env.REDIS_URL ? 'redis' : 'postgres'),
  ...sharedKeys(),
};

function run(name, script, args, extra) {
  const child = spawn(process.execPath, ['--enable-source-maps', join(build, script), ...args], {
    cwd: root,
    env: { ...common, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (stream, out) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) out.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  children.add(child);
  const exited = new Promise((resolveExit) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolveExit(code ?? (signal ? 1 : 0));
    }),
  );
  return { child, exited };
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  say('stopping');
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise((resolveStop) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolveStop();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  if (embedded) await embedded.stop();
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

// The release step, once: migrations (and the demo partnership on the embedded database).
const seed = !env.DATABASE_URL || env.HEARTH_SEED_DEMO === 'true';
const release = seed
  ? run('release', 'apps/api/src/cli/seed-demo.js', [], {})
  : run('release', 'apps/api/src/cli/db.js', ['run'], {});
if ((await release.exited) !== 0) await stop(1);

const nodes = [
  { name: 'api-a', port: ports[0], extra: { HEARTH_RUN_WORKER: 'false' } },
  { name: 'api-b', port: ports[1], extra: { HEARTH_RUN_WORKER: 'false' } },
];
const processes = [
  ...nodes.map((n) => run(n.name, 'apps/api/src/main.js', [], { PORT: String(n.port), HOST: '127.0.0.1', ...n.extra })),
  run('worker', 'apps/worker/src/main.js', [], {}),
];
for (const p of processes) {
  void p.exited.then((code) => {
    if (!stopping) {
      process.stderr.write(`[cluster] a process exited (${code}); stopping the others\n`);
      void stop(1);
    }
  });
}

// Ready when both nodes answer /health/ready.
const deadline = Date.now() + 120_000;
for (const node of nodes) {
  for (;;) {
    if (stopping) break;
    const ok = await fetch(`http://127.0.0.1:${node.port}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      process.stderr.write(`[cluster] ${node.name} is not ready after two minutes\n`);
      await stop(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
say(
  `ready: api-a http://127.0.0.1:${ports[0]}, api-b http://127.0.0.1:${ports[1]}, worker; sockets over ${common.HEARTH_SOCKET_ADAPTER}`,
);
