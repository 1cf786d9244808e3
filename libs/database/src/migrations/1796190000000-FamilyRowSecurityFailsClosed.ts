import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The user of the transaction (`hearth.user_id`), null when none was set. */
const ME = `nullif(current_setting('hearth.user_id', true), '')::uuid`;
/** A connection of the system's own work (`SYSTEM_DATA_SOURCE`, scoped when it connects): every row. */
export const SYSTEM_SCOPE = `current_setting('hearth.scope', true) = 'system'`;
/** The rule before this migration: a transaction that set no user was not filtered. */
const UNSET = `nullif(current_setting('hearth.user_id', true), '') IS NULL`;
/** A family the user relates to, by the view the ability reads (evaluated with its owner's rights). */
const related = (column: string): string =>
  `${column} IN (SELECT r.family_id FROM family_relationships r WHERE r.user_id = ${ME})`;
/** The user holds a role, on an active account. */
const holds = (role: string): string =>
  `EXISTS (SELECT 1 FROM users u WHERE u.id = ${ME} AND u.status = 'ACTIVE' AND u.roles @> ARRAY['${role}']::text[])`;

/**
 * Who may see and write which row, per table; each `USING` is also the `WITH CHECK` unless an
 * insert is given apart (the same rules as 1796140000000 and 1796170000000).
 */
const POLICIES: ReadonlyArray<{ table: string; using: string; insert?: string }> = [
  { table: 'timeline_events', using: related('family_id') },
  { table: 'event_subjects', using: related('family_id') },
  { table: 'event_replies', using: related('family_id') },
  { table: 'event_acknowledgements', using: related('family_id') },
  { table: 'alerts', using: related('family_id') },
  { table: 'alert_recipients', using: related('family_id') },
  { table: 'alert_history', using: related('family_id') },
  { table: 'join_requests', using: `user_id = ${ME} OR ${related('family_id')}` },
  { table: 'access_grants', using: `user_id = ${ME} OR ${related('family_id')} OR ${holds('AUDITOR')}` },
  // Anyone's operation may add to another user's inbox; reading back is the recipient's.
  { table: 'notifications', using: `user_id = ${ME}`, insert: 'true' },
];

/**
 * Row-level security fails closed. Before, a transaction that set no user (`hearth.user_id`)
 * was not filtered, so a path that forgot to say whose work it was saw and wrote every family's
 * rows. Now such a transaction sees and writes no row of these tables, as the nil uuid (nobody
 * signed in) does; a user's transaction is filtered exactly as before. The system's own work
 * (the worker's loops, the delivery sweep, the doorbell's re-check after a commit) runs on
 * connections of its own whose session sets `hearth.scope` to `system` when it connects
 * (`SYSTEM_DATA_SOURCE`, @hearth/database); they see and write every row. Work for one user runs as
 * that user (a socket's resume, the demo seeder's steps). Adding to another user's inbox stays
 * open to every transaction, as before. The owner, who runs the migrations, is still not subject
 * to the policies (no FORCE), nor is a superuser.
 */
export class FamilyRowSecurityFailsClosed1796190000000 implements MigrationInterface {
  name = 'FamilyRowSecurityFailsClosed1796190000000';

  async up(q: QueryRunner): Promise<void> {
    await replacePolicies(q, SYSTEM_SCOPE);
  }

  async down(q: QueryRunner): Promise<void> {
    await replacePolicies(q, UNSET);
  }
}

/** Drops each table's policies and makes them again, `unfiltered` OR the table's rule. */
export async function replacePolicies(q: QueryRunner, unfiltered: string): Promise<void> {
  for (const { table, using, insert } of POLICIES) {
    const visible = `(${unfiltered} OR ${using})`;
    if (insert === undefined) {
      await q.query(`DROP POLICY family_scope ON ${table}`);
      await q.query(`CREATE POLICY family_scope ON ${table} USING ${visible} WITH CHECK ${visible}`);
      continue;
    }
    for (const name of ['family_scope_read', 'family_scope_update', 'family_scope_delete'])
      await q.query(`DROP POLICY ${name} ON ${table}`);
    await q.query(`CREATE POLICY family_scope_read ON ${table} FOR SELECT USING ${visible}`);
    await q.query(`CREATE POLICY family_scope_update ON ${table} FOR UPDATE USING ${visible} WITH CHECK ${visible}`);
    await q.query(`CREATE POLICY family_scope_delete ON ${table} FOR DELETE USING ${visible}`);
  }
}
