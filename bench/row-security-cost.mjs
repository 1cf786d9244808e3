// The cost of row-level security on the read request: the statements of the read scenario's B0
// script (bench/results/scripts/read.sql and read.defines.json, written by `npm run bench`), in one
// transaction that sets hearth.user_id as an operation does, run as the database's administrator
// (the policies do not apply) and as hearth_app (they do), one transaction each in turn, so that
// both see the same load. Prints the median wall time of each and their ratio.
//
//   BENCH_DATABASE_URL=postgres://… npm run bench -- --only read --quick   # data and scripts
//   psql "$BENCH_DATABASE_URL" -f deploy/sql/roles.sql -f deploy/sql/grants.sql   # hearth_app and its rights
//   BENCH_DATABASE_URL=postgres://… node bench/row-security-cost.mjs [read|page] [transactions]
//
// `page` runs the timeline page statement alone instead of the whole request.
import pg from 'pg';
import { readDefines, readStatements } from './read-script.mjs';

const url = process.env['BENCH_DATABASE_URL'];
if (!url) throw new Error('BENCH_DATABASE_URL is required (the database `npm run bench` seeded)');
const which = process.argv[2] ?? 'read';
const count = Number(process.argv[3] ?? 300);

const statements = readStatements('rls').filter((s) => which !== 'page' || s.text.includes('FROM timeline_events'));
// The user of the request: the relationships statement's parameter.
const user = readDefines().get('s1_1');

async function connect(options) {
  const client = new pg.Client({ connectionString: url, options });
  await client.connect();
  return client;
}
const roles = { owner: await connect(undefined), app: await connect('-c role=hearth_app') };

async function once(client) {
  const started = process.hrtime.bigint();
  await client.query('BEGIN');
  await client.query(`SELECT set_config('hearth.user_id', $1, true)`, [user]);
  const counts = [];
  for (const statement of statements) counts.push((await client.query(statement)).rowCount);
  const rows = counts.join(',');
  await client.query('COMMIT');
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, rows };
}

// Warm both (plans, caches), and check that hearth_app reads what the administrator reads.
for (let i = 0; i < 20; i++) {
  const [owner, app] = [await once(roles.owner), await once(roles.app)];
  if (owner.rows !== app.rows) throw new Error(`hearth_app read ${app.rows} rows, the administrator ${owner.rows}`);
}
const times = { owner: [], app: [] };
for (let i = 0; i < count; i++)
  for (const role of i % 2 ? ['owner', 'app'] : ['app', 'owner']) times[role].push((await once(roles[role])).ms);
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const [owner, app] = [median(times.owner), median(times.app)];
console.log(
  `${which}: ${count} each, median ${owner.toFixed(2)} ms as the administrator, ${app.toFixed(2)} ms as hearth_app: ${(app / owner).toFixed(3)}`,
);
await roles.owner.end();
await roles.app.end();
