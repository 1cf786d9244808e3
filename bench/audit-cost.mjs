// Where the read audit's cost goes: the statements of the read scenario's B0 script
// (bench/results/scripts/read.sql and read.defines.json, written by `npm run bench`), one
// transaction at a time, in variants that change one factor each, in turn (so all see the same
// load), each on a connection of its own so that its backend's CPU time can be read from /proc.
// Prints per transaction: median and mean wall time, the backend's CPU time, and WAL bytes.
//
//   BENCH_DATABASE_URL=postgres://… npm run bench -- --only read --quick   # data and scripts
//   BENCH_DATABASE_URL=postgres://… node bench/audit-cost.mjs [transactions] [clients] [rounds]
//
// With clients > 1, each variant also runs closed loop on that many connections for a few
// seconds (variants in turn, `rounds` times, 3 by default), which shows what the commit's WAL flush costs when
// transactions share it (group commit), and prints transactions per second.
//
// The variants (copies of audit_entries are made in the database and dropped at the end):
//   off            no INSERT: a read-only transaction, whose COMMIT writes and waits for nothing
//   on             the INSERT as Hearth runs it
//   on, async      the same with synchronous_commit = off (the COMMIT does not wait for the WAL flush)
//   xid only       no INSERT, but the transaction takes an id (pg_current_xact_id()): a commit record
//                  and its WAL flush, without a row
//   no indexes     the INSERT into a copy of audit_entries with its stamp trigger and no index
//   no trigger     the INSERT into a copy with every index and no stamp trigger
//   bare           the INSERT into a copy with neither
//   small detail   the INSERT with a detail of `{"count": 50}` instead of the 50 ids
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { readStatements } from './read-script.mjs';

const url = process.env['BENCH_DATABASE_URL'];
if (!url) throw new Error('BENCH_DATABASE_URL is required (the database `npm run bench` seeded)');
const count = Number(process.argv[2] ?? 300);
const clients = Number(process.argv[3] ?? 1);
const rounds = Number(process.argv[4] ?? 3);
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts in clock ticks (USER_HZ, 100 on Linux)

const statements = readStatements('audit_cost');
const reads = statements.filter((s) => !s.text.startsWith('INSERT INTO audit_entries'));
const insert = statements.find((s) => s.text.startsWith('INSERT INTO audit_entries'));
if (!insert) throw new Error('read.sql has no audit INSERT');
const into = (table) => ({
  ...insert,
  name: `${insert.name}_${table}`,
  text: insert.text.replace('INSERT INTO audit_entries', `INSERT INTO ${table}`),
});
const detailAt = insert.values.findIndex((v) => typeof v === 'string' && v.startsWith('{"ids"'));
const small = { ...insert, name: `${insert.name}_small`, values: [...insert.values] };
small.values[detailAt] = JSON.stringify({ count: 50 });

const admin = new pg.Client({ connectionString: url });
await admin.connect();
const COPIES = ['audit_cost_noindex', 'audit_cost_notrigger', 'audit_cost_bare'];
for (const table of COPIES) await admin.query(`DROP TABLE IF EXISTS ${table}`);
await admin.query(`CREATE TABLE audit_cost_noindex (LIKE audit_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
await admin.query(`CREATE TABLE audit_cost_notrigger (LIKE audit_entries INCLUDING ALL)`);
await admin.query(`CREATE TABLE audit_cost_bare (LIKE audit_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
await admin.query(`CREATE TRIGGER audit_cost_stamp BEFORE INSERT ON audit_cost_noindex
                   FOR EACH ROW EXECUTE FUNCTION audit_stamp_entry()`);
const settings = (
  await admin.query(
    `SELECT name, setting FROM pg_settings WHERE name IN
     ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'wal_level', 'commit_delay', 'wal_writer_delay')`,
  )
).rows;
console.log(`settings: ${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}`);
console.log(
  `audit_entries: ${(await admin.query(`SELECT count(*) FROM audit_entries`)).rows[0].count} rows, ` +
    `${(await admin.query(`SELECT count(*) FROM pg_indexes WHERE tablename = 'audit_entries'`)).rows[0].count} indexes`,
);

const xid = { name: 'audit_cost_xid', text: 'SELECT pg_current_xact_id()', values: [] };
const VARIANTS = [
  { name: 'off', extra: [] },
  { name: 'on', extra: [insert] },
  { name: 'on, async commit', extra: [insert], options: '-c synchronous_commit=off' },
  { name: 'xid only', extra: [xid] },
  { name: 'no indexes', extra: [into('audit_cost_noindex')] },
  { name: 'no trigger', extra: [into('audit_cost_notrigger')] },
  { name: 'bare', extra: [into('audit_cost_bare')] },
  { name: 'small detail', extra: [small] },
];

async function connect(options) {
  const client = new pg.Client({ connectionString: url, options });
  await client.connect();
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  return { client, pid };
}
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
};
const lsn = async () => (await admin.query('SELECT pg_current_wal_insert_lsn() AS l')).rows[0].l;
const walBytes = async (from, to) =>
  Number((await admin.query('SELECT pg_wal_lsn_diff($2, $1) AS d', [from, to])).rows[0].d);

async function transaction(client, variant) {
  await client.query('BEGIN');
  for (const s of [...reads, ...variant.extra]) await client.query(s);
  await client.query('COMMIT');
}

// Service time: one transaction at a time, variants in turn.
const conns = [];
for (const v of VARIANTS) conns.push(await connect(v.options));
const stats = VARIANTS.map(() => ({ wall: [], cpu: 0, wal: 0 }));
for (let i = 0; i < 20; i++) for (const [k, v] of VARIANTS.entries()) await transaction(conns[k].client, v);
const cpu0 = conns.map((c) => cpuMs(c.pid));
for (let i = 0; i < count; i++)
  for (const [k, v] of VARIANTS.entries()) {
    const before = await lsn();
    const t = process.hrtime.bigint();
    await transaction(conns[k].client, v);
    stats[k].wall.push(Number(process.hrtime.bigint() - t) / 1e6);
    stats[k].wal += await walBytes(before, await lsn());
  }
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\none transaction at a time, ${count} each:`);
console.log('variant            | wall p50 ms | wall mean ms | backend CPU ms | WAL bytes');
for (const [k, v] of VARIANTS.entries()) {
  const s = stats[k];
  console.log(
    `${v.name.padEnd(18)} | ${median(s.wall).toFixed(3).padStart(11)} | ${mean(s.wall).toFixed(3).padStart(12)} | ` +
      `${((cpuMs(conns[k].pid) - cpu0[k]) / count).toFixed(3).padStart(14)} | ${Math.round(s.wal / count)
        .toString()
        .padStart(9)}`,
  );
}
for (const c of conns) await c.client.end();

// Throughput: `clients` connections closed loop, variants in turn, `rounds` times.
if (clients > 1) {
  const SECONDS = 3;
  const done = VARIANTS.map(() => 0);
  for (let round = 0; round < rounds; round++)
    for (const [k, v] of VARIANTS.entries()) {
      const pool = [];
      for (let c = 0; c < clients; c++) pool.push((await connect(v.options)).client);
      const until = Date.now() + SECONDS * 1000;
      await Promise.all(
        pool.map(async (client) => {
          while (Date.now() < until) {
            await transaction(client, v);
            done[k]++;
          }
        }),
      );
      for (const client of pool) await client.end();
    }
  console.log(`\n${clients} connections closed loop, ${rounds} × ${SECONDS} s each:`);
  for (const [k, v] of VARIANTS.entries())
    console.log(
      `${v.name.padEnd(18)} | ${(done[k] / (rounds * SECONDS)).toFixed(0).padStart(6)} tx/s | ${(done[k] / done[0]).toFixed(2)} of off`,
    );
}

for (const table of COPIES) await admin.query(`DROP TABLE ${table}`);
await admin.end();
