// Time partitioning, measured: the same timeline-events table plain and partitioned by month,
// loaded with SCALING_ROWS rows over two years; then single-row insert rate, the family timeline
// page (Hearth's hot read), an auditor's time-range read, and dropping a month (retention).
//
//   SCALING_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres SCALING_ROWS=2000000 \
//     node deploy/scaling/partitions.mjs
//
// It works in a database of its own (hearth_scaling, dropped and made again).
import pg from 'pg';
import { performance } from 'node:perf_hooks';

const env = process.env;
const ROWS = Number(env.SCALING_ROWS || 1_000_000);
const FAMILIES = Number(env.SCALING_FAMILIES || Math.max(100, Math.round(ROWS / 100)));
const SECONDS = Number(env.SCALING_SECONDS || 5);
const CONNECTIONS = Number(env.SCALING_CONNECTIONS || 8);
const MONTHS = 24;

const admin = new pg.Client({ connectionString: env.SCALING_DATABASE_URL });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS hearth_scaling WITH (FORCE)');
await admin.query('CREATE DATABASE hearth_scaling');
await admin.end();
const url = new URL(env.SCALING_DATABASE_URL);
url.pathname = '/hearth_scaling';
const pool = new pg.Pool({ connectionString: url.toString(), max: CONNECTIONS + 1 });
const q = (sql, params) => pool.query(sql, params);
const out = (row) => console.log(JSON.stringify(row));

const columns = `
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  family_id uuid NOT NULL,
  author_id uuid NOT NULL,
  kind text NOT NULL,
  visibility text NOT NULL,
  summary text NOT NULL,
  body text,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL`;
await q(`CREATE TABLE families (id uuid PRIMARY KEY, n int UNIQUE)`);
await q(`INSERT INTO families SELECT gen_random_uuid(), g FROM generate_series(0, $1 - 1) g`, [FAMILIES]);
await q(`CREATE TABLE ev_plain (${columns}, PRIMARY KEY (id))`);
await q(`CREATE TABLE ev_part (${columns}, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)`);
const start = new Date(Date.UTC(2025, 0, 1));
for (let m = 0; m < MONTHS; m++) {
  const from = new Date(Date.UTC(2025, m, 1)).toISOString();
  const to = new Date(Date.UTC(2025, m + 1, 1)).toISOString();
  await q(`CREATE TABLE ev_part_${m} PARTITION OF ev_part FOR VALUES FROM ('${from}') TO ('${to}')`);
}
for (const t of ['ev_plain', 'ev_part']) {
  await q(`CREATE INDEX ${t}_family_idx ON ${t} (family_id, occurred_at DESC, id DESC)`);
  await q(`CREATE INDEX ${t}_created_idx ON ${t} (created_at)`);
}

const span = (MONTHS * 30.4 * 86400) / ROWS; // seconds between rows
const CHUNK = 250_000;
for (const t of ['ev_plain', 'ev_part']) {
  const t0 = performance.now();
  for (let off = 0; off < ROWS; off += CHUNK) {
    await q(
      `INSERT INTO ${t} (family_id, author_id, kind, visibility, summary, body, occurred_at, created_at)
       SELECT f.id, gen_random_uuid(), (ARRAY['NOTE','CONCERN','VISIT','ABSENCE'])[1 + (g % 4)::int],
              CASE WHEN g % 20 = 0 THEN 'RESTRICTED' WHEN g % 10 = 0 THEN 'AGENCY' ELSE 'NETWORK' END,
              'Summary of event ' || g, repeat('x', 200 + (g % 400)::int),
              $3::timestamptz + make_interval(secs => g * $4::float8) - interval '1 hour',
              $3::timestamptz + make_interval(secs => g * $4::float8)
         FROM generate_series($1::bigint, $2::bigint) g JOIN families f ON f.n = (g * 7919) % $5`,
      [off, Math.min(ROWS, off + CHUNK) - 1, start.toISOString(), span, FAMILIES],
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  await q(`VACUUM ANALYZE ${t}`);
  const [{ size }] = (await q(`SELECT pg_size_pretty(pg_total_relation_size('${t}')) AS size`)).rows;
  const partSize =
    t === 'ev_part'
      ? (
          await q(
            `SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS size FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ev_part'::regclass`,
          )
        ).rows[0].size
      : size;
  out({
    table: t,
    rows: ROWS,
    families: FAMILIES,
    bulkLoadSeconds: +seconds.toFixed(1),
    rowsPerSecond: Math.round(ROWS / seconds),
    size: partSize,
  });
}

/** Closed loop on CONNECTIONS clients for SECONDS: operations per second and latency percentiles. */
async function closedLoop(name, op) {
  const latencies = [];
  const until = performance.now() + SECONDS * 1000;
  let i = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const client = await pool.connect();
      try {
        while (performance.now() < until) {
          const t0 = performance.now();
          await op(client, i++);
          latencies.push(performance.now() - t0);
        }
      } finally {
        client.release();
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (p) => +latencies[Math.floor(p * (latencies.length - 1))].toFixed(2);
  out({
    measure: name,
    connections: CONNECTIONS,
    perSecond: Math.round(latencies.length / SECONDS),
    p50ms: at(0.5),
    p99ms: at(0.99),
  });
}

const familyIds = (await q(`SELECT id FROM families ORDER BY n`)).rows.map((r) => r.id);
const recent = new Date(start.getTime() + MONTHS * 30 * 86400_000 - 7 * 86400_000).toISOString();
for (const t of ['ev_plain', 'ev_part']) {
  // One transaction per event, as Hearth commits one per post (fsync as the server is configured).
  await closedLoop(`${t}: insert one event per transaction`, (c, i) =>
    c.query(
      `INSERT INTO ${t} (family_id, author_id, kind, visibility, summary, body, occurred_at, created_at)
       VALUES ($1, gen_random_uuid(), 'NOTE', 'NETWORK', 'A new note', repeat('y', 300), now() - interval '3 months', $2)`,
      [familyIds[(i * 31) % familyIds.length], recent],
    ),
  );
  await closedLoop(`${t}: family timeline page 1 (50 newest)`, (c, i) =>
    c.query(
      `SELECT id, kind, summary, occurred_at FROM ${t} WHERE family_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 50`,
      [familyIds[(i * 7) % familyIds.length]],
    ),
  );
  await closedLoop(`${t}: auditor time range (100 newest of the last 7 days)`, (c) =>
    c.query(`SELECT id, family_id, created_at FROM ${t} WHERE created_at >= $1 ORDER BY created_at DESC LIMIT 100`, [
      recent,
    ]),
  );
}

// Retention: remove the oldest month.
const monthEnd = new Date(Date.UTC(2025, 1, 1)).toISOString();
let t0 = performance.now();
const deleted = await q(`DELETE FROM ev_plain WHERE created_at < $1`, [monthEnd]);
out({
  measure: 'ev_plain: DELETE the oldest month',
  rows: deleted.rowCount,
  seconds: +((performance.now() - t0) / 1000).toFixed(2),
});
t0 = performance.now();
await q(`ALTER TABLE ev_part DETACH PARTITION ev_part_0`);
await q(`DROP TABLE ev_part_0`);
out({ measure: 'ev_part: DETACH and DROP the oldest month', seconds: +((performance.now() - t0) / 1000).toFixed(2) });

await pool.end();
