import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The timeline's tables: every row belongs to one family (`family_id`). */
const TABLES = ['timeline_events', 'event_subjects', 'event_replies', 'event_acknowledgements'] as const;

/**
 * Row-level security as a backstop behind the ability's SQL filters: a role that does not own
 * the tables (hearth_app; see deploy/sql) sees and writes only rows of families the user of the
 * operation has a relationship with, by the same `family_relationships` view the ability reads.
 *
 * The user is `hearth.user_id`, set for its transaction (`set_config(…, true)`) by every GraphQL
 * operation's unit of work; an operation without a signed-in user sets the nil uuid and sees no
 * row. A transaction that sets nothing (the worker's loops, seeding, the doorbell's re-check after
 * a commit) is not an operation of a user and is not filtered. The owner, who runs the migrations,
 * is not subject to the policies (no FORCE), nor is a superuser.
 */
export class FamilyRowSecurity1796140000000 implements MigrationInterface {
  name = 'FamilyRowSecurity1796140000000';

  async up(q: QueryRunner): Promise<void> {
    // The view is evaluated with its owner's rights: the tables under it are not filtered again.
    const visible = `(
      nullif(current_setting('hearth.user_id', true), '') IS NULL
      OR family_id IN (SELECT r.family_id FROM family_relationships r
                       WHERE r.user_id = nullif(current_setting('hearth.user_id', true), '')::uuid))`;
    for (const table of TABLES) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY family_scope ON ${table} USING ${visible} WITH CHECK ${visible}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`DROP POLICY family_scope ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
