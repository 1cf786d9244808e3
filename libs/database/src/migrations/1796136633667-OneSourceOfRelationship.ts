import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Who has a relationship with this family now" is written once, here, as views: the ability's
 * facts, every fan-out, resume, escalation and delivery read them, and no other SQL repeats the
 * membership condition. A sensitive member is shown to other agencies by a per-membership
 * opaque id instead of their user id.
 */
export class OneSourceOfRelationship1796136633667 implements MigrationInterface {
  name = 'OneSourceOfRelationship1796136633667';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE network_members ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`CREATE UNIQUE INDEX network_members_public_id_key ON network_members (public_id)`);
    await q.query(`
      CREATE VIEW active_network_members AS
      SELECT m.* FROM network_members m
      WHERE m.removed_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())`);
    // A relationship needs an active account holding a case role; a manager relates to the
    // families of their reports; a grant counts until it expires or is found inappropriate.
    await q.query(`
      CREATE VIEW family_relationships AS
      SELECT r.*, a.kind AS agency_kind FROM (
      SELECT m.family_id, u.id AS user_id, u.agency_id, u.roles,
             CASE WHEN m.role = 'LEAD' THEN 'LEAD' ELSE 'MEMBER' END AS via
      FROM active_network_members m JOIN users u ON u.id = m.user_id
      WHERE u.status = 'ACTIVE' AND u.roles && ARRAY['PRACTITIONER','MANAGER']::text[]
      UNION ALL
      SELECT m.family_id, boss.id, boss.agency_id, boss.roles, 'MANAGER'
      FROM active_network_members m JOIN users u ON u.id = m.user_id JOIN users boss ON boss.id = u.manager_id
      WHERE boss.status = 'ACTIVE' AND boss.roles @> ARRAY['MANAGER']::text[]
      UNION ALL
      SELECT g.family_id, u.id, u.agency_id, u.roles, 'GRANT'
      FROM access_grants g JOIN users u ON u.id = g.user_id
      WHERE g.expires_at > now() AND g.review_outcome IS DISTINCT FROM 'INAPPROPRIATE'
        AND u.status = 'ACTIVE' AND u.roles && ARRAY['PRACTITIONER','MANAGER']::text[]
      ) r JOIN agencies a ON a.id = r.agency_id`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_type_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_type_check CHECK (type IN
        ('EVENT_POSTED','ALERT_RAISED','ALERT_UPDATED','REPLY_POSTED','MEMBERSHIP_CHANGED','ACCESS_GRANTED','ACCESS_REVOKED'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM notifications WHERE type = 'ACCESS_REVOKED'`);
    await q.query(`ALTER TABLE notifications DROP CONSTRAINT notifications_type_check`);
    await q.query(`
      ALTER TABLE notifications ADD CONSTRAINT notifications_type_check CHECK (type IN
        ('EVENT_POSTED','ALERT_RAISED','ALERT_UPDATED','REPLY_POSTED','MEMBERSHIP_CHANGED','ACCESS_GRANTED'))`);
    await q.query(`DROP VIEW family_relationships`);
    await q.query(`DROP VIEW active_network_members`);
    await q.query(`DROP INDEX network_members_public_id_key`);
    await q.query(`ALTER TABLE network_members DROP COLUMN public_id`);
  }
}
