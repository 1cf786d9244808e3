// B0, the database limit: the statements B1 ran for one request (Hearth's, from the SQL files,
// with the same values), replayed by `pgbench -M prepared` from a script file at the same
// concurrency; and a hand-written single-round-trip version (one CTE) as the design floor.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

export interface Traced {
  name: string;
  text: string;
  values: unknown[];
  /** Run before the transaction, on its own (the mutation limits). */
  autocommit?: boolean;
}

/** A value as PostgreSQL's text input reads it (what pgbench binds). */
function pgText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value)) return value;
  if (Array.isArray(value))
    return `{${value.map((v) => (v === null ? 'NULL' : `"${pgText(v).replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

export interface Script {
  file: string;
  defines: string[];
  /** The same work for a plain pg pool, when there is no pgbench. */
  pool: {
    statements: Array<{ text: string; values: unknown[]; autocommit?: boolean }>;
    transaction: boolean;
    generatedId?: string;
  };
}

/**
 * One transaction of the traced statements. Values become pgbench variables (-D); a NULL is
 * written as NULL (pgbench variables cannot be NULL); `generatedId` (the id the INSERT returned)
 * is the INSERT's own result, taken with \gset, wherever a later statement uses it.
 */
export function scriptOf(dir: string, name: string, trace: Traced[], generatedId?: string): Script {
  const defines: string[] = [];
  const before: string[] = [];
  const lines = ['BEGIN;'];
  trace.forEach((statement, i) => {
    let text = statement.text.replace(/\$(\d+)/g, (_, n: string) => {
      const value = statement.values[Number(n) - 1];
      if (value === null || value === undefined) return 'NULL';
      if (generatedId && value === generatedId) return ':id';
      if (generatedId && Array.isArray(value) && value.length === 1 && value[0] === generatedId)
        return 'ARRAY[:id]::uuid[]';
      const variable = `s${i}_${n}`;
      defines.push('-D', `${variable}=${pgText(value)}`);
      return `:${variable}`;
    });
    text = text.replace(/\s*\n\s*/g, ' ');
    const returnsId = generatedId !== undefined && statement.name === 'insert';
    (statement.autocommit ? before : lines).push(returnsId ? `${text} \\gset` : `${text};`);
  });
  lines.unshift(...before);
  lines.push('COMMIT;');
  const file = join(dir, `${name}.sql`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, `${name}.defines.json`), `${JSON.stringify(defines, null, 1)}\n`);
  return { file, defines, pool: { statements: trace, transaction: true, generatedId } };
}

/** The design floor of a timeline page: session, access, page, names and audit in one statement. */
export function readCte(dir: string, v: { sessionId: string; userId: string; familyId: string }): Script {
  const text = `WITH s AS (
  SELECT u.agency_id, u.roles FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id = :sid AND u.id = :uid AND u.status = 'ACTIVE' AND s.revoked_at IS NULL AND s.expires_at > now()),
f AS (SELECT f.id FROM families f WHERE f.id = :fid AND EXISTS (SELECT 1 FROM s)
  AND f.id IN (SELECT family_id FROM family_relationships WHERE user_id = :uid)),
page AS (SELECT e.id, e.kind, e.author_id, e.agency_id, e.recorded_at, v.content_visible,
    CASE WHEN v.content_visible THEN e.summary END AS summary
  FROM timeline_events e CROSS JOIN s
  CROSS JOIN LATERAL (SELECT (e.visibility = 'NETWORK' OR (e.visibility = 'AGENCY' AND e.agency_id = s.agency_id)
    OR :uid::uuid = ANY(e.audience_user_ids) OR s.agency_id = ANY(e.audience_agency_ids) OR e.author_id = :uid::uuid) AS content_visible) v
  WHERE e.family_id IN (SELECT id FROM f) ORDER BY e.recorded_at DESC, e.id DESC LIMIT 50),
a AS (INSERT INTO audit_entries (actor_id, actor_agency_id, actor_roles, action, outcome, subject_type, subject_id, family_id, detail, client_address)
  SELECT :uid, s.agency_id, s.roles::text[], 'READ', 'ALLOWED', 'TimelineEvent', :fid, :fid,
    jsonb_build_object('ids', (SELECT jsonb_agg(id ORDER BY recorded_at DESC, id DESC) FROM page), 'count', (SELECT count(*) FROM page)), '127.0.0.1'
  FROM s WHERE EXISTS (SELECT 1 FROM f) RETURNING id)
SELECT p.id, p.kind, p.summary, NOT p.content_visible AS redacted, u.display_name, ag.name, (SELECT count(*) FROM a) AS audited
FROM page p JOIN users u ON u.id = p.author_id JOIN agencies ag ON ag.id = p.agency_id ORDER BY p.recorded_at DESC, p.id DESC;`;
  const file = join(dir, 'read-cte.sql');
  writeFileSync(file, `${text.replace(/\s*\n\s*/g, ' ')}\n`);
  return cteScript(file, text, v);
}

/** The design floor of postEvent: session, access, the event, its audit, the inbox rows and their mail in one statement. */
export function ingestCte(dir: string, v: { sessionId: string; userId: string; familyId: string }): Script {
  const text = `WITH s AS (
  SELECT u.agency_id, u.roles FROM sessions s JOIN users u ON u.id = s.user_id
  WHERE s.id = :sid AND u.id = :uid AND u.status = 'ACTIVE' AND s.revoked_at IS NULL AND s.expires_at > now()),
e AS (INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility, audience_user_ids, audience_agency_ids, summary, body)
  SELECT :fid, 'CONCERN', 'LOW', now(), s.agency_id, :uid, 'NETWORK', '{}', '{}', 'Benchmark post', NULL FROM s
  WHERE EXISTS (SELECT 1 FROM family_relationships WHERE user_id = :uid AND family_id = :fid AND via <> 'GRANT') RETURNING id),
a AS (INSERT INTO audit_entries (actor_id, actor_agency_id, actor_roles, action, outcome, subject_type, subject_id, family_id, detail, client_address)
  SELECT :uid, s.agency_id, s.roles::text[], 'CREATE', 'ALLOWED', 'TimelineEvent', e.id, :fid,
    '{"kind": "CONCERN", "subjects": [], "visibility": "NETWORK"}', '127.0.0.1' FROM s, e RETURNING id),
r AS (SELECT DISTINCT user_id FROM family_relationships WHERE family_id = :fid AND user_id <> :uid AND EXISTS (SELECT 1 FROM e)),
b AS (INSERT INTO inbox_counters AS c (user_id, last_seq) SELECT user_id, 1 FROM r
  ON CONFLICT (user_id) DO UPDATE SET last_seq = c.last_seq + 1 RETURNING user_id, last_seq),
n AS (INSERT INTO notifications (user_id, seq, type, family_id, event_id) SELECT b.user_id, b.last_seq, 'EVENT_POSTED', :fid, e.id
  FROM b, e RETURNING user_id, seq, event_id),
o AS (INSERT INTO outbox_messages (channel, kind, user_id, notification_seq, type, family_id, event_id, idempotency_key, status, not_before, give_up_at)
  SELECT 'EMAIL', 'NOTIFICATION', n.user_id, n.seq, 'EVENT_POSTED', :fid, n.event_id, concat_ws(chr(58), 'hearth', n.user_id, n.seq, 'email'),
    'PENDING', now(), now() + interval '1 day' FROM n RETURNING 1)
SELECT e.id, (SELECT count(*) FROM a) AS audited, (SELECT count(*) FROM o) AS mailed FROM e;`;
  const file = join(dir, 'ingest-cte.sql');
  writeFileSync(file, `${text.replace(/\s*\n\s*/g, ' ')}\n`);
  return cteScript(file, text, v);
}

function cteScript(file: string, text: string, v: { sessionId: string; userId: string; familyId: string }): Script {
  const names = ['sid', 'uid', 'fid'];
  return {
    file,
    defines: ['-D', `sid=${v.sessionId}`, '-D', `uid=${v.userId}`, '-D', `fid=${v.familyId}`],
    pool: {
      statements: [
        {
          text: text.replace(/:(sid|uid|fid)\b/g, (_, name: string) => `$${names.indexOf(name) + 1}`),
          values: [v.sessionId, v.userId, v.familyId],
        },
      ],
      transaction: false,
    },
  };
}

export interface PgbenchResult {
  tps: number;
  transactions: number;
  latencyMs: number;
  failed: number;
}

/** pgbench, prepared, closed loop at `clients` connections for `seconds`. */
export function pgbench(
  binary: string,
  url: string,
  script: Script,
  clients: number,
  seconds: number,
): Promise<PgbenchResult> {
  const args = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(seconds),
    ...script.defines,
    '-f',
    script.file,
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile(binary, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const tps = /tps = ([\d.]+)/.exec(stdout);
      if (error || !tps) {
        reject(
          new Error(
            `pgbench failed: ${(stderr || (error?.message ?? 'no tps in its output')).split('\n').slice(0, 5).join(' | ')}`,
          ),
        );
        return;
      }
      resolve({
        tps: Number(tps[1]),
        transactions: Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? 0),
        latencyMs: Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1] ?? Number.NaN),
        failed: Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0),
      });
    });
  });
}

/**
 * Without pgbench: the same statements, prepared, on a plain pg pool of `clients` connections,
 * closed loop for `seconds`. The id the INSERT returns replaces the traced one in later statements.
 */
export async function poolBench(url: string, script: Script, clients: number, seconds: number): Promise<PgbenchResult> {
  const { statements, transaction, generatedId } = script.pool;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let transactions = 0;
  let failed = 0;
  let latencyTotal = 0;
  const worker = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      while (Date.now() < deadline) {
        const t0 = performance.now();
        let id = generatedId;
        try {
          let open = false;
          for (const [i, s] of statements.entries()) {
            if (transaction && !open && !s.autocommit) {
              await client.query('BEGIN');
              open = true;
            }
            const values = s.values.map((v) =>
              generatedId && v === generatedId
                ? id
                : generatedId && Array.isArray(v) && v.length === 1 && v[0] === generatedId
                  ? [id]
                  : v,
            );
            const r = await client.query<{ id?: string }>({ name: `b0_${i}`, text: s.text, values });
            if (generatedId && /^\s*INSERT INTO timeline_events/.test(s.text)) id = r.rows[0]?.id;
          }
          if (open) await client.query('COMMIT');
          transactions++;
          latencyTotal += performance.now() - t0;
        } catch {
          failed++;
          if (transaction) await client.query('ROLLBACK').catch(() => undefined);
        }
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const elapsed = (Date.now() - started) / 1000;
  return { tps: transactions / elapsed, transactions, latencyMs: latencyTotal / Math.max(1, transactions), failed };
}
