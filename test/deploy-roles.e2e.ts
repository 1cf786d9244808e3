import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AuditVerifier } from '@hearth/audit';
import { loadConfig, readTestSettings } from '@hearth/config';
import { migrate, quoteIdent } from '@hearth/database';
import { createLogger } from '@hearth/observability';
import { eventually, graphqlData, withDatabase } from '@hearth/testing';
import { startHearth, type RunningHearth } from '../apps/api/src/hearth.js';
import { compiled, printed, spawnNode } from './support/process.js';
import { login } from './support/session.js';

/**
 * deploy/sql/roles.sql and grants.sql on the suite's PostgreSQL, as a deployment runs them: the
 * administrator makes the roles, the owner migrates, the API runs as hearth_app. The application
 * role does its normal work (positive control) and cannot touch the audit trail.
 */
const ROLES_SQL = readFileSync(new URL('../deploy/sql/roles.sql', import.meta.url), 'utf8');
const GRANTS_SQL = readFileSync(new URL('../deploy/sql/grants.sql', import.meta.url), 'utf8');

async function run<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with, or 'ok'. */
async function outcome(url: string, sql: string): Promise<string> {
  try {
    await run(url, sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

function as(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = password;
  return u.toString();
}

describe('database roles (deploy/sql)', () => {
  const { serverUrl } = readTestSettings();
  const database = `hearth_roles_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let adminUrl: string;
  let ownerUrl: string;
  let appUrl: string;
  let systemUrl: string;
  let hearth: RunningHearth;
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-roles-'));

  beforeAll(async () => {
    if (!serverUrl) throw new Error('no test server');
    await run(serverUrl, `CREATE DATABASE ${quoteIdent(database)}`);
    adminUrl = withDatabase(serverUrl, database);
    await run(adminUrl, ROLES_SQL);
    await run(adminUrl, `ALTER ROLE hearth_owner PASSWORD '${password}'`);
    await run(adminUrl, `ALTER ROLE hearth_app PASSWORD '${password}'`);
    await run(adminUrl, `ALTER ROLE hearth_system PASSWORD '${password}'`);
    ownerUrl = as(adminUrl, 'hearth_owner', password);
    appUrl = as(adminUrl, 'hearth_app', password);
    systemUrl = as(adminUrl, 'hearth_system', password);

    // The release step: migrations and grants as the owner.
    await migrate(ownerUrl);
    await run(ownerUrl, GRANTS_SQL);

    // The demo partnership, written by the application role as the API would.
    const seed = spawnNode(compiled('apps/api/src/cli/seed-demo.js'), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HEARTH_DATA_DIR: dataDir,
      DATABASE_URL: appUrl,
      SYSTEM_DATABASE_URL: systemUrl,
    });
    expect(await seed.exited).toBe(0);

    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      LOG_FORMAT: 'json',
      HEARTH_DATA_DIR: dataDir,
      DATABASE_URL: appUrl,
      SYSTEM_DATABASE_URL: systemUrl,
      HEARTH_MIGRATIONS_RUN: 'false',
      HEARTH_SEED_DEMO: 'false',
      HEARTH_RUN_WORKER: 'false',
      HEARTH_SOCKET_ADAPTER: 'postgres',
    });
    hearth = await startHearth(config, appUrl, createLogger(config));
  }, 120_000);

  afterAll(async () => {
    await hearth?.close();
    await run(serverUrl!, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes roles that are no more than they need', async () => {
    const roles = await run<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }>(
      adminUrl,
      `SELECT rolname, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname IN ('hearth_owner','hearth_app','hearth_system') ORDER BY 1`,
    );
    expect(roles).toEqual([
      { rolname: 'hearth_app', rolsuper: false, rolbypassrls: false, rolcreaterole: false },
      { rolname: 'hearth_owner', rolsuper: false, rolbypassrls: false, rolcreaterole: false },
      { rolname: 'hearth_system', rolsuper: false, rolbypassrls: false, rolcreaterole: false },
    ]);
    // Neither may become the owner, nor the application the system.
    const memberships = await run<{ n: number }>(
      adminUrl,
      `SELECT count(*)::int AS n FROM pg_auth_members m
         WHERE m.member IN ('hearth_app'::regrole, 'hearth_system'::regrole)
           AND m.roleid IN ('hearth_owner'::regrole, 'hearth_system'::regrole)`,
    );
    expect(memberships).toEqual([{ n: 0 }]);
    // So the application cannot take the system's view: as hearth_system a statement sees every
    // family's events (the positive control), as hearth_app none without a user, whatever it says.
    const families = `SELECT count(DISTINCT family_id)::int AS n FROM timeline_events`;
    expect((await run<{ n: number }>(systemUrl, families))[0]!.n).toBeGreaterThan(1);
    expect(await run<{ n: number }>(appUrl, families)).toEqual([{ n: 0 }]);
    const claiming = new pg.Client({ connectionString: appUrl });
    await claiming.connect();
    try {
      await claiming.query(`SET hearth.scope = 'system'`);
      expect((await claiming.query(families)).rows).toEqual([{ n: 0 }]);
    } finally {
      await claiming.end();
    }
    expect(await outcome(appUrl, `SET ROLE hearth_system`)).toBe('42501');
    const [owned] = await run<{ n: number; owners: string[] }>(
      adminUrl,
      `SELECT count(*)::int AS n, array_agg(DISTINCT pg_get_userbyid(relowner)::text) AS owners
         FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r','p')`,
    );
    expect(owned!.n).toBeGreaterThan(20);
    expect(owned!.owners).toEqual(['hearth_owner']);
    // Running both scripts again changes nothing and fails nothing.
    await run(adminUrl, ROLES_SQL);
    await run(ownerUrl, GRANTS_SQL);
  });

  it('lets the application role do its work: ready, log in, post, seal and verify the trail', async () => {
    const ready = await fetch(`${hearth.url}/health/ready`);
    expect(ready.status).toBe(200);

    const sam = await login(hearth.url, 'sam.social');
    const [family] = await run<{ id: string }>(appUrl, `SELECT id FROM families WHERE reference = 'NS-2026-0142'`);
    const posted = await graphqlData<{ postEvent: { id: string } }>(hearth.url, {
      query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
      variables: {
        input: {
          familyId: family!.id,
          kind: 'NOTE',
          severity: 'INFO',
          summary: 'Posted by the application role',
          occurredAt: new Date().toISOString(),
        },
      },
      token: sam.accessToken,
    });
    expect(posted.postEvent.id).toMatch(/^[0-9a-f-]{36}$/);

    // The worker runs as the application role too, its loops on the system's login: it seals
    // (inserting seals and checkpoints), escalates and evaluates ABSENCE rules.
    const worker = spawnNode(compiled('apps/worker/src/main.js'), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HEARTH_DATA_DIR: dataDir,
      DATABASE_URL: appUrl,
      SYSTEM_DATABASE_URL: systemUrl,
      HEARTH_SOCKET_ADAPTER: 'postgres',
    });
    await printed(worker, 'Hearth worker is running');
    await eventually(
      async () => {
        const [left] = await run<{ n: number }>(
          appUrl,
          `SELECT count(*)::int AS n FROM audit_entries e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)`,
        );
        return left!.n === 0;
      },
      { what: 'the worker, as hearth_app, sealing every entry', timeoutMs: 20_000 },
    );
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).not.toMatch(/permission denied/i);
    const [{ checkpoints }] = (await run<{ checkpoints: number }>(
      appUrl,
      `SELECT count(*)::int AS checkpoints FROM audit_checkpoints`,
    )) as [{ checkpoints: number }];
    expect(checkpoints).toBeGreaterThan(0);
    const report = await hearth.app.get(AuditVerifier).verify();
    expect(report.verified).toBe(true);

    // Ordinary row changes elsewhere are allowed: sessions are updated and deleted by logout.
    expect(await outcome(appUrl, `UPDATE sessions SET revoked_at = revoked_at WHERE false`)).toBe('ok');
    expect(await outcome(appUrl, `DELETE FROM socket_io_attachments WHERE false`)).toBe('ok');
  });

  it("refuses to start when the system's work would run as the application role, and says what to set", async () => {
    // The same worker as above (which ran: the positive control), without the system's login: its
    // loops would see no family's rows.
    const worker = spawnNode(compiled('apps/worker/src/main.js'), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HEARTH_DATA_DIR: dataDir,
      DATABASE_URL: appUrl,
      HEARTH_SOCKET_ADAPTER: 'postgres',
    });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toMatch(/run as hearth_app, .*set SYSTEM_DATABASE_URL to the hearth_system login/);
  });

  it('refuses the application role every way of rewriting the audit trail', async () => {
    const [before] = await run<{ entries: number; seals: number; checkpoints: number }>(
      appUrl,
      `SELECT (SELECT count(*)::int FROM audit_entries) AS entries, (SELECT count(*)::int FROM audit_seals) AS seals,
              (SELECT count(*)::int FROM audit_checkpoints) AS checkpoints`,
    );
    expect(before!.entries).toBeGreaterThan(0);
    const INSUFFICIENT_PRIVILEGE = '42501';
    const attempts = [
      `UPDATE audit_entries SET reason = 'rewritten'`,
      `DELETE FROM audit_entries`,
      `TRUNCATE audit_entries`,
      `UPDATE audit_seals SET hash = repeat('0', 64)`,
      `DELETE FROM audit_seals`,
      `TRUNCATE audit_seals CASCADE`,
      `UPDATE audit_checkpoints SET head_hash = repeat('0', 64)`,
      `DELETE FROM audit_checkpoints`,
      `TRUNCATE audit_checkpoints`,
      `ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`,
      `ALTER TABLE audit_entries DISABLE TRIGGER ALL`,
      `DROP TRIGGER audit_entries_append_only ON audit_entries`,
      `DROP TABLE audit_checkpoints`,
      `ALTER TABLE audit_entries OWNER TO hearth_app`,
      `CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
      `SET session_replication_role = replica`,
      `SET ROLE hearth_owner`,
      `CREATE TABLE shadow (id int)`,
      `INSERT INTO migrations (timestamp, name) VALUES (1, 'Forged1')`,
      `ALTER ROLE hearth_app BYPASSRLS`,
    ];
    const results = Object.fromEntries(
      await Promise.all(attempts.map(async (sql) => [sql, await outcome(appUrl, sql)])),
    );
    // SET ROLE to a role one is not a member of is 42501 too; ALTER ROLE … BYPASSRLS likewise.
    expect(results).toEqual(Object.fromEntries(attempts.map((sql) => [sql, INSUFFICIENT_PRIVILEGE])));

    const [after] = await run<NonNullable<typeof before>>(
      appUrl,
      `SELECT (SELECT count(*)::int FROM audit_entries) AS entries, (SELECT count(*)::int FROM audit_seals) AS seals,
              (SELECT count(*)::int FROM audit_checkpoints) AS checkpoints`,
    );
    expect(after).toEqual(before);
  });

  it('shows why: the owner could switch the triggers off, so the application must not be the owner', async () => {
    const client = new pg.Client({ connectionString: ownerUrl });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query(`ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only`);
      const deleted = await client.query(`DELETE FROM audit_checkpoints`);
      expect(deleted.rowCount).toBeGreaterThanOrEqual(0);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });
});
