// B1, the Node limit for a timeline page: a bare node:http server with a pg pool of the app's
// size that runs the statements a timeline page runs (access facts, the family check, the event
// page for the ability the app would build, the authors and agencies, the audit INSERT) in one
// transaction and returns the same JSON shape. No framework, no GraphQL, no ORM, no token check:
// the principal comes from the environment.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { abilityToSql, defineAbility, type FieldMap, type Principal, type Role } from '@hearth/authz';
import { eventQuery } from '../libs/timeline/src/timeline.repository.js';
import { FACTS_SQL, AUDIT_INSERT_SQL } from './sql.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const principal: Principal = {
  userId: env('B1_USER_ID'),
  agencyId: env('B1_AGENCY_ID'),
  roles: env('B1_ROLES').split(',') as Role[],
  sessionId: 'b1',
};
// As libs/network family.repository.ts.
const FAMILY_FIELDS: FieldMap = { id: { sql: 'f.id', type: 'uuid' } };
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 10 });

async function page(familyId: string, first: number): Promise<unknown> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const facts = await client.query<{ family_id: string; decides: boolean; granted: boolean }>(FACTS_SQL, [
      principal.userId,
      principal.roles.includes('MANAGER' as Role),
    ]);
    const ability = defineAbility({
      principal,
      memberOf: facts.rows.filter((r) => !r.granted).map((r) => r.family_id),
      leads: facts.rows.filter((r) => r.decides && !r.granted).map((r) => r.family_id),
      grantedFor: facts.rows.filter((r) => r.granted).map((r) => r.family_id),
    });
    const familyRead = abilityToSql(ability, 'read', 'Family', FAMILY_FIELDS, 2);
    const family = await client.query(
      `SELECT f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at FROM families f WHERE f.id = $1 AND ${familyRead.sql}`,
      [familyId, ...familyRead.params],
    );
    if (family.rowCount === 0) {
      await client.query('ROLLBACK');
      return { errors: [{ message: 'not found' }] };
    }
    const query = eventQuery(
      ability,
      `e.family_id = $1 AND ($2::timestamptz IS NULL OR (e.recorded_at, e.id) < ($2::timestamptz, $3::uuid))`,
      [familyId, null, null, first + 1],
      'ORDER BY e.recorded_at DESC, e.id DESC LIMIT $4',
    );
    const rows = (await client.query(query.sql, query.params)).rows.slice(0, first) as Array<{
      id: string;
      kind: string;
      summary: string | null;
      content_visible: boolean;
      author_id: string;
      agency_id: string;
    }>;
    const authorIds = [...new Set(rows.map((r) => r.author_id))];
    const agencyIds = [...new Set(rows.map((r) => r.agency_id))];
    const [authors, agencies] = await Promise.all([
      client.query<{ id: string; display_name: string }>(`SELECT id, display_name FROM users WHERE id = ANY($1)`, [
        authorIds,
      ]),
      client.query<{ id: string; name: string }>(`SELECT id, name FROM agencies WHERE id = ANY($1)`, [agencyIds]),
    ]);
    const ids = rows.map((r) => r.id);
    await client.query(AUDIT_INSERT_SQL, [
      principal.userId,
      principal.agencyId,
      principal.roles,
      'READ',
      'ALLOWED',
      'TimelineEvent',
      familyId,
      familyId,
      null,
      null,
      JSON.stringify({ ids, count: ids.length }),
      null,
      '127.0.0.1',
      null,
    ]);
    await client.query('COMMIT');
    const authorName = new Map(authors.rows.map((a) => [a.id, a.display_name]));
    const agencyName = new Map(agencies.rows.map((a) => [a.id, a.name]));
    return {
      data: {
        timeline: {
          edges: rows.map((r) => ({
            node: {
              id: r.id,
              kind: r.kind,
              summary: r.content_visible ? r.summary : null,
              redacted: !r.content_visible,
              author: { displayName: authorName.get(r.author_id) },
              agency: { name: agencyName.get(r.agency_id) },
            },
          })),
        },
      },
    };
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
      const { familyId, first } = JSON.parse(body) as { familyId: string; first: number };
      const json = JSON.stringify(await page(familyId, first));
      res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    })
    .catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}` });
});

const stop = () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
