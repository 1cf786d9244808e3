import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The user of the transaction (`hearth.user_id`), null when none was set. */
const ME = `nullif(current_setting('hearth.user_id', true), '')::uuid`;
/** A transaction that set no user (the worker's loops, seeding): not an operation of a user, unfiltered. */
const UNSET = `nullif(current_setting('hearth.user_id', true), '') IS NULL`;
/** A family the user relates to, by the view the ability reads (evaluated with its owner's rights). */
const related = (column: string): string =>
  `${column} IN (SELECT r.family_id FROM family_relationships r WHERE r.user_id = ${ME})`;
/** The user holds a role, on an active account. */
const holds = (role: string): string =>
  `EXISTS (SELECT 1 FROM users u WHERE u.id = ${ME} AND u.status = 'ACTIVE' AND u.roles @> ARRAY['${role}']::text[])`;

/**
 * Who may see and write which row, per table; each `USING` is also the `WITH CHECK` unless an
 * insert is given apart. The same rule as the timeline's (1796140000000-FamilyRowSecurity): a
 * user's transaction sees rows of families they relate to; the nil uuid (nobody signed in) sees
 * none; a transaction that sets no user is not filtered.
 */
const POLICIES: ReadonlyArray<{ table: string; using: string; insert?: string }> = [
  // Alerts are raised on a family and addressed to people working with it.
  { table: 'alerts', using: related('family_id') },
  { table: 'alert_recipients', using: related('family_id') },
  { table: 'alert_history', using: related('family_id') },
  // A join request is its requester's and the family's network's.
  { table: 'join_requests', using: `user_id = ${ME} OR ${related('family_id')}` },
  // A break-glass grant is its holder's and the family's network's; auditors review them all.
  { table: 'access_grants', using: `user_id = ${ME} OR ${related('family_id')} OR ${holds('AUDITOR')}` },
  // An inbox is its recipient's. Anyone's operation may add to another user's inbox (a post tells
  // the network, a review tells the lead), so adding is not restricted; reading back is.
  { table: 'notifications', using: `user_id = ${ME}`, insert: 'true' },
];

/**
 * Row-level security on the family-scoped tables beyond the timeline: alerts, join requests,
 * break-glass grants and inboxes. Not here, read across families by design: `families`,
 * `family_memberships`, `persons` and `network_members` (finding a child's network and its lead's
 * card for a practitioner outside it, creating a family), and the audit trail (auditors, who-viewed,
 * refusals recorded against a family the actor does not relate to). Nor `outbox_messages`: a
 * user's operation writes other users' rows with ON CONFLICT DO NOTHING, which PostgreSQL checks
 * against the reading policy too, so the writer would have to read other users' rows.
 */
export class FamilyRowSecurityEverywhere1796170000000 implements MigrationInterface {
  name = 'FamilyRowSecurityEverywhere1796170000000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, using, insert } of POLICIES) {
      const visible = `(${UNSET} OR ${using})`;
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      if (insert === undefined) {
        await q.query(`CREATE POLICY family_scope ON ${table} USING ${visible} WITH CHECK ${visible}`);
        continue;
      }
      await q.query(`CREATE POLICY family_scope_read ON ${table} FOR SELECT USING ${visible}`);
      await q.query(`CREATE POLICY family_scope_update ON ${table} FOR UPDATE USING ${visible} WITH CHECK ${visible}`);
      await q.query(`CREATE POLICY family_scope_delete ON ${table} FOR DELETE USING ${visible}`);
      await q.query(`CREATE POLICY family_scope_insert ON ${table} FOR INSERT WITH CHECK (${insert})`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table, insert } of [...POLICIES].reverse()) {
      const names =
        insert === undefined
          ? ['family_scope']
          : ['family_scope_read', 'family_scope_update', 'family_scope_delete', 'family_scope_insert'];
      for (const name of names) await q.query(`DROP POLICY ${name} ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
