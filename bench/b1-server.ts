// B1, the Node limit: a bare node:http server with a pg pool of the app's size that does what
// Hearth does for an operation, with no framework, no GraphQL and no ORM. It verifies the access
// token with jose (as TokenService does), checks the session, and runs Hearth's own statements,
// read by name from the committed libs/<lib>/sql/*.sql files, prepared, on one connection, in one
// transaction, and answers JSON of the shape Hearth answers.
//
//   POST /read     { familyId, first }              timeline page (read audit on)
//   POST /read?audit=off                            the same without the audit INSERT (audit scenario)
//   POST /read?audit=async                          with it, committed without waiting for the WAL flush
//                                                   (HEARTH_READ_SYNCHRONOUS_COMMIT=false; audit scenario)
//   POST /ingest   { familyId, kind, severity, occurredAt, summary }   postEvent
//
// The parent may ask { type: 'trace', path, body }: the statements and values of one request, for B0.
import { createHash, createPublicKey } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { abilityToSql, allows, defineAbility, type FieldMap, type Principal, type Role } from '@hearth/authz';
import { hitRateLimits } from '@hearth/database';
import { uuid } from '@hearth/errors';
import { MATCHED_EVENTS_SHOWN } from '../libs/alerts/src/alert-engine.service.js';
import { factsFrom } from '../libs/network/src/relationship.repository.js';
import { pageStatement } from '../libs/timeline/src/timeline-event.repository.js';
import { hearthSql } from './sql.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const sql = hearthSql(env('B1_ROOT'));
const S = {
  // The session check with the user's relationships (the ability's facts), as a query runs it.
  sessionWithFacts: sql('network', 'relationship.repository', 'RelationshipRepository.ofUser (with the session check)'),
  // A mutation's: the session, then the relationships in its transaction.
  session: sql('identity', 'session.repository', 'SessionRepository.findForCheck'),
  relationships: sql('network', 'relationship.repository', 'RelationshipRepository.ofUser'),
  familyRelationships: sql('network', 'relationship.repository', 'RelationshipRepository.ofFamilies'),
  family: sql('network', 'family.repository', 'FamilyRepository.visible'),
  audit: sql('audit', 'audit.repository', 'AuditRepository.insert'),
  insert: sql('timeline', 'timeline-event.repository', 'TimelineEventRepository.insert'),
  notify: sql('realtime', 'notification.repository', 'NotificationRepository.insertForUsers'),
  preferences: sql('notify', 'notify.repository', 'PreferenceRepository.ofRecipients'),
  outbox: sql('notify', 'notify.repository', 'OutboxRepository.insert'),
  rules: sql('alerts', 'rule.repository', 'RuleRepository.enabled'),
  rulesFingerprint: sql('alerts', 'rule.repository', 'RuleRepository.enabledFingerprint'),
  countInWindow: sql('timeline', 'timeline-event.repository', 'TimelineEventRepository.countInWindow'),
  latestInWindow: sql('timeline', 'timeline-event.repository', 'TimelineEventRepository.latestInWindow'),
  raise: sql('alerts', 'alert.repository', 'AlertRepository.insertUnlessDuplicate'),
};
const FAMILY_FIELDS: FieldMap = { id: { sql: 'f.id', type: 'uuid' } };
const SEVERITY_ORDER = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const publicKey = createPublicKey(env('B1_JWT_PUBLIC_KEY'));
const issuer = process.env['B1_JWT_ISSUER'] ?? 'hearth';
const audience = process.env['B1_JWT_AUDIENCE'] ?? 'hearth-api';
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 10 });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Trace = Array<{ name: string; text: string; values: unknown[]; autocommit?: boolean }>;

/** A connection that runs every statement prepared under its name, and may record them. */
function runner(client: pg.PoolClient, trace?: Trace) {
  return async <R extends pg.QueryResultRow>(name: keyof typeof S, values: unknown[]): Promise<R[]> => {
    trace?.push({ name, text: S[name], values });
    return (await client.query<R>({ name, text: S[name], values })).rows;
  };
}
type Run = ReturnType<typeof runner>;

/**
 * The event page's text depends on the ability (its SQL filter) and on whether a cursor is given,
 * so it comes from Hearth's own `pageStatement`, prepared under a name derived from the text.
 */
async function runPage(
  client: pg.PoolClient,
  statement: { sql: string; params: unknown[] },
  trace?: Trace,
): Promise<PageRow[]> {
  const name = `page_${createHash('sha1').update(statement.sql).digest('hex').slice(0, 16)}`;
  trace?.push({ name, text: statement.sql, values: statement.params });
  return (await client.query<PageRow>({ name, text: statement.sql, values: statement.params })).rows;
}

interface Claims {
  userId: string;
  sessionId: string;
}

async function verifyToken(authorization: string | undefined): Promise<Claims> {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!token) throw new HttpError(401, 'unauthenticated');
  try {
    const { payload } = await jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      issuer,
      audience,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    // The subject is written into the statement that names the transaction's user: a uuid only.
    const subject = uuid.safeParse(payload.sub);
    if (!subject.success || typeof payload['sid'] !== 'string') throw new Error('claims');
    return { userId: subject.data, sessionId: payload['sid'] };
  } catch {
    throw new HttpError(401, 'unauthenticated');
  }
}

interface Checked {
  principal: Principal;
  ability: ReturnType<typeof defineAbility>;
}

interface SessionRow {
  agency_id: string;
  roles: Role[];
  status: string;
  revoked_at: Date | null;
  expires_at: Date;
}
type FactRow = { family_id: string; user_id: string; via: string };

/**
 * The session check and the user's relationships: for a read in one statement, for a mutation in
 * two (as Hearth's queries and mutations).
 */
async function checkSession(run: Run, claims: Claims, reading: boolean): Promise<Checked> {
  const [row] = reading
    ? await run<SessionRow & { facts: FactRow[] }>('sessionWithFacts', [claims.userId, claims.sessionId])
    : await run<SessionRow>('session', [claims.sessionId, claims.userId]);
  if (!row || row.status !== 'ACTIVE' || row.revoked_at !== null || row.expires_at <= new Date())
    throw new HttpError(401, 'unauthenticated');
  const principal = { userId: claims.userId, agencyId: row.agency_id, roles: row.roles, sessionId: claims.sessionId };
  const facts = 'facts' in row ? row.facts : await run<FactRow>('relationships', [principal.userId]);
  return { principal, ability: defineAbility(factsFrom(principal, facts as never)) };
}

async function requireFamily(run: Run, ability: ReturnType<typeof defineAbility>, familyId: string) {
  const read = abilityToSql(ability, 'read', 'Family', FAMILY_FIELDS, 2);
  const family = await run('family', [familyId, ...read.params]);
  if (family.length === 0) throw new HttpError(404, 'not found');
}

function auditValues(principal: Principal, action: string, subjectId: string, familyId: string, detail: unknown) {
  return [
    principal.userId,
    principal.agencyId,
    principal.roles,
    action,
    'ALLOWED',
    'TimelineEvent',
    subjectId,
    familyId,
    null,
    null,
    JSON.stringify(detail),
    null,
    '127.0.0.1',
    null,
  ];
}

interface EventRow {
  id: string;
  kind: string;
  summary: string | null;
  content_visible: boolean;
  author_id: string;
  agency_id: string;
  family_id: string;
}

interface PageRow extends EventRow {
  author_card: { display_name: string } | null;
  event_agency_name: string;
}

async function read(
  client: pg.PoolClient,
  run: Run,
  { principal, ability }: Checked,
  body: { familyId: string; first: number },
  audit: boolean,
  trace?: Trace,
) {
  const { familyId, first } = body;
  await requireFamily(run, ability, familyId);
  // The page with its authors' cards and agencies joined, as Hearth reads it.
  const rows = (await runPage(client, pageStatement(ability, familyId, undefined, first + 1), trace)).slice(0, first);
  const ids = rows.map((r) => r.id);
  if (audit) await run('audit', auditValues(principal, 'READ', familyId, familyId, { ids, count: ids.length }));
  return {
    data: {
      timeline: {
        edges: rows.map((r) => ({
          node: {
            id: r.id,
            kind: r.kind,
            summary: r.content_visible ? r.summary : null,
            redacted: !r.content_visible,
            author: { displayName: r.author_card?.display_name },
            agency: { name: r.event_agency_name },
          },
        })),
      },
    },
  };
}

interface PostInput {
  familyId: string;
  kind: string;
  severity: string;
  occurredAt: string;
  summary: string;
}

/**
 * The mutation limits, as the mutation gate counts them: outside the transaction (a refused or
 * rolled-back mutation still counts), on the request's connection. Their statement is not in a SQL
 * file; `hitRateLimits` of @hearth/database writes it.
 */
async function countMutation(client: pg.PoolClient, userId: string, trace?: Trace) {
  const window = { limit: 1_000_000, windowSeconds: 60 };
  const counter = {
    query: async (text: string, values?: unknown[]) => {
      trace?.push({ name: 'rate', text, values: values ?? [], autocommit: true });
      return (await client.query({ name: 'rate', text, values })).rows as unknown[];
    },
  };
  await hitRateLimits(
    counter,
    [
      { key: 'mutation:address:127.0.0.1', rule: window },
      { key: `mutation:user:${userId}`, rule: window },
    ],
    { flushWait: false },
  );
}

/** THRESHOLD windows whose alert exists, by rule and family: their first event's time (as Hearth's engine keeps them). */
const alertedWindows = new Map<string, Date>();

async function ingest(run: Run, { principal, ability }: Checked, input: PostInput) {
  await requireFamily(run, ability, input.familyId);
  if (!allows(ability, 'post', 'TimelineEvent', { familyId: input.familyId })) throw new HttpError(403, 'forbidden');
  const occurredAt = new Date(input.occurredAt);
  // The insert takes the agency's policy for the kind itself (a null visibility), and the subjects.
  const [inserted] = await run<{ id: string; visibility: string }>('insert', [
    input.familyId,
    input.kind,
    input.severity,
    occurredAt,
    principal.agencyId,
    principal.userId,
    null,
    [],
    [],
    input.summary,
    null,
    [],
  ]);
  const id = inserted!.id;
  const visibility = inserted!.visibility;
  await run(
    'audit',
    auditValues(principal, 'CREATE', id, input.familyId, { kind: input.kind, visibility, subjects: [] }),
  );
  // Rule evaluation: the rules are kept in memory and reloaded when their fingerprint changes, as
  // Hearth's RuleCache does; then the window statement of each rule the kind concerns.
  const [print] = await run<{ fingerprint: string }>('rulesFingerprint', []);
  if (print!.fingerprint !== cachedRules.fingerprint)
    cachedRules = { fingerprint: print!.fingerprint, rules: await run('rules', []) };
  for (const rule of cachedRules.rules) {
    const d = rule.definition as {
      kind: string;
      rag: string;
      eventKinds?: string[];
      minSeverity?: string;
      minCount?: number;
      minAgencies?: number;
      windowDays?: number;
      first?: string[];
      then?: string[];
      withinDays?: number;
    };
    if (d.kind === 'THRESHOLD' && d.eventKinds?.includes(input.kind)) {
      // As Hearth's engine: a window known to have alerted is found by its first event, not counted.
      const key = `${rule.id}:${input.familyId}`;
      const known = alertedWindows.get(key) ?? null;
      const [w] = await run<{ n: number; agencies: number; ids: string[]; first: Date | null }>('countInWindow', [
        input.familyId,
        d.eventKinds,
        SEVERITY_ORDER,
        SEVERITY_ORDER.indexOf(d.minSeverity ?? 'INFO') + 1,
        occurredAt,
        d.windowDays,
        MATCHED_EVENTS_SHOWN,
        known,
      ]);
      // A match: Hearth inserts the alert unless its key exists. Hearth's first post raised it, so
      // here it is always the duplicate, which inserts nothing.
      if (
        w?.first &&
        w.first.getTime() !== known?.getTime() &&
        w.n >= (d.minCount ?? 0) &&
        w.agencies >= (d.minAgencies ?? 0)
      ) {
        const raised = await run('raise', [
          input.familyId,
          rule.id,
          rule.version,
          d.rag,
          `${rule.id}:${input.familyId}:${w.first.toISOString()}`,
          `Rule "${rule.name}" v${rule.version} (THRESHOLD): ${w.n} events`,
          w.ids,
          new Date(),
          new Date(Date.now() + 24 * 3600_000),
        ]);
        if (raised.length > 0) throw new HttpError(500, 'B1 raised an alert: Hearth posts first and raises it');
        alertedWindows.set(key, w.first);
      }
    }
    if (d.kind === 'SEQUENCE' && d.then?.includes(input.kind))
      await run('latestInWindow', [input.familyId, d.first, id, occurredAt, d.withinDays]);
  }
  // The audience: everyone related to the family but the author, told in their inbox, whose rows
  // (and the counter locks) are written last, just before COMMIT.
  const related = await run<{ user_id: string }>('familyRelationships', [[input.familyId], null]);
  const recipients = [...new Set(related.map((r) => r.user_id))].filter((u) => u !== principal.userId);
  // What the mail decisions read (preferences, and whether any webhook is enabled), read before
  // the inbox rows lock the recipients' counters.
  await run('preferences', [recipients]);
  const notified = await run<{ user_id: string; seq: string }>('notify', [
    recipients,
    recipients.map(() => 0),
    ['EVENT_POSTED'],
    [input.familyId],
    [id],
    [null],
    [null],
  ]);
  const now = new Date();
  const giveUp = new Date(now.getTime() + 24 * 3600_000);
  const n = notified.length;
  await run('outbox', [
    notified.map(() => 'EMAIL'),
    notified.map((r) => r.user_id),
    notified.map(() => null),
    notified.map((r) => r.seq),
    notified.map(() => 'EVENT_POSTED'),
    notified.map(() => input.familyId),
    notified.map(() => id),
    notified.map(() => null),
    notified.map(() => null),
    notified.map((r) => `hearth:${r.user_id}:${r.seq}:email`),
    notified.map(() => 'PENDING'),
    Array.from({ length: n }, () => now),
    Array.from({ length: n }, () => giveUp),
  ]);
  // The answer: the row as inserted, as the author sees it (no re-read).
  return {
    data: { postEvent: { id, kind: input.kind, summary: input.summary, redacted: false } },
  };
}

let cachedRules: {
  fingerprint: string | undefined;
  rules: { id: string; name: string; version: number; definition: Record<string, unknown> }[];
} = {
  fingerprint: undefined,
  rules: [],
};

async function handle(path: string, authorization: string | undefined, body: string, trace?: Trace) {
  const client = await pool.connect();
  const run = runner(client, trace);
  try {
    const claims = await verifyToken(authorization);
    if (path === '/ingest') await countMutation(client, claims.userId, trace);
    // As Hearth's unit of work, in the same round trip as BEGIN: the user row-level security
    // filters for (a verified token's subject, a uuid).
    const user = `SELECT set_config('hearth.user_id', '${claims.userId}', true)`;
    await client.query(
      path === '/read?audit=async' ? `BEGIN; ${user}; SET LOCAL synchronous_commit = off` : `BEGIN; ${user}`,
    );
    const checked = await checkSession(run, claims, path !== '/ingest');
    const parsed = JSON.parse(body) as never;
    let result: unknown;
    if (path === '/read') result = await read(client, run, checked, parsed, true, trace);
    else if (path === '/read?audit=off') result = await read(client, run, checked, parsed, false, trace);
    else if (path === '/read?audit=async') result = await read(client, run, checked, parsed, true, trace);
    else if (path === '/ingest') result = await ingest(run, checked, parsed);
    else throw new HttpError(404, 'no such path');
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const server = createServer((req, res) => {
  readBody(req)
    .then(async (body) => {
      const json = JSON.stringify(await handle(req.url ?? '/', req.headers.authorization, body));
      res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    })
    .catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(error));
    });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}` });
});

process.on('message', (message: { type?: string; path?: string; authorization?: string; body?: string }) => {
  if (message.type !== 'trace') return;
  const trace: Trace = [];
  handle(message.path!, message.authorization, message.body!, trace).then(
    (result) => process.send?.({ type: 'trace', trace, result }),
    (error: unknown) => process.send?.({ type: 'trace', error: String(error) }),
  );
});

const stop = () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
