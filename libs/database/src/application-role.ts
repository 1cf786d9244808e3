import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The role the API runs as: it owns no table and row-level security applies to it (deploy/sql). */
export const APPLICATION_ROLE = 'hearth_app';
/**
 * The role of the system's own work (the worker's loops, the doorbell's re-checks): owns nothing
 * either, and the policies let it see every family's rows. The application role is not a member
 * of it and cannot become it: no statement on an application connection can widen itself.
 */
export const SYSTEM_ROLE = 'hearth_system';

/**
 * `url`, acting as the application role: the administrator's login takes the role when it
 * connects (`SET ROLE`), so no second password is kept, and the session is hearth_app's in all
 * that counts (privileges, row-level security).
 */
export function asApplicationRole(url: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c role=${APPLICATION_ROLE}`);
  return u.toString();
}

/**
 * `url` as asApplicationRole made it, acting as the system role instead; undefined for any other
 * URL (a login of its own, whose system counterpart is configured apart).
 */
export function asSystemRole(url: string): string | undefined {
  const u = new URL(url);
  if (u.searchParams.get('options') !== `-c role=${APPLICATION_ROLE}`) return undefined;
  u.searchParams.set('options', `-c role=${SYSTEM_ROLE}`);
  return u.toString();
}

/**
 * On a database Hearth administers itself (the embedded one, the test suite's): makes the
 * application and system roles if missing, and gives them their rights on the tables with
 * deploy/sql/grants.sql. Run after the migrations, as the administrator.
 */
export async function grantApplicationRole(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const role of [APPLICATION_ROLE, SYSTEM_ROLE]) {
      await client.query(
        `DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
             CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS;
           END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$`,
      );
    }
    await client.query(grantsSql());
  } finally {
    await client.end();
  }
}

/** deploy/sql/grants.sql, found above this module (the source tree, or a build inside the checkout). */
function grantsSql(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'deploy', 'sql', 'grants.sql');
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  throw new Error('deploy/sql/grants.sql was not found above the database lib');
}
