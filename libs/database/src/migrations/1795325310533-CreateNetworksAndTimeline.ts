import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNetworksAndTimeline1795325310533 implements MigrationInterface {
  name = 'CreateNetworksAndTimeline1795325310533';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE families (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reference text NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','CLOSED')),
        protection_status text NOT NULL DEFAULT 'NONE'
          CHECK (protection_status IN ('NONE','EARLY_HELP','CHILD_IN_NEED','CHILD_PROTECTION_PLAN','LOOKED_AFTER')),
        lead_user_id uuid NOT NULL REFERENCES users(id),
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX families_reference_key ON families (lower(reference))`);
    await q.query(`
      CREATE TABLE persons (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        given_name text NOT NULL,
        family_name text NOT NULL,
        date_of_birth date,
        nhs_number text,
        school_upn text,
        police_reference text,
        address text,
        address_withheld boolean NOT NULL DEFAULT false,
        recorded_by_agency_id uuid NOT NULL REFERENCES agencies(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX persons_name_dob_idx ON persons (lower(family_name), date_of_birth)`);
    await q.query(`CREATE INDEX persons_full_name_idx ON persons (lower(given_name || ' ' || family_name))`);
    await q.query(`
      CREATE TABLE family_memberships (
        family_id uuid NOT NULL REFERENCES families(id),
        person_id uuid NOT NULL REFERENCES persons(id),
        role text NOT NULL CHECK (role IN ('CHILD','PARENT','CARER','SIBLING','RELATIVE','OTHER_ADULT','PERSON_OF_CONCERN')),
        added_by uuid NOT NULL REFERENCES users(id),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (family_id, person_id)
      )`);
    await q.query(`CREATE INDEX family_memberships_person_idx ON family_memberships (person_id)`);
    await q.query(`
      CREATE TABLE network_members (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES families(id),
        user_id uuid NOT NULL REFERENCES users(id),
        role text NOT NULL CHECK (role IN ('LEAD','MEMBER')),
        sensitive boolean NOT NULL DEFAULT false,
        contact_route text,
        added_by uuid NOT NULL REFERENCES users(id),
        added_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        removed_by uuid REFERENCES users(id),
        removed_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX network_members_active_key ON network_members (family_id, user_id) WHERE removed_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX network_members_user_idx ON network_members (user_id, family_id) WHERE removed_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE join_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES families(id),
        user_id uuid NOT NULL REFERENCES users(id),
        reason text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','APPROVED','DECLINED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX join_requests_pending_key ON join_requests (family_id, user_id) WHERE status = 'PENDING'`,
    );
    await q.query(`
      CREATE TABLE access_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES families(id),
        user_id uuid NOT NULL REFERENCES users(id),
        kind text NOT NULL DEFAULT 'BREAK_GLASS' CHECK (kind IN ('BREAK_GLASS')),
        reason text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        flagged boolean NOT NULL DEFAULT false,
        review_outcome text CHECK (review_outcome IN ('APPROPRIATE','INAPPROPRIATE')),
        review_note text,
        reviewed_by uuid REFERENCES users(id),
        reviewed_at timestamptz
      )`);
    await q.query(`CREATE INDEX access_grants_user_idx ON access_grants (user_id, expires_at)`);
    await q.query(
      `CREATE INDEX access_grants_review_idx ON access_grants (granted_at DESC, id DESC) WHERE review_outcome IS NULL`,
    );
    await q.query(`
      CREATE TABLE timeline_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES families(id),
        kind text NOT NULL CHECK (kind IN ('CONCERN','INCIDENT','DOMESTIC_ABUSE_INCIDENT','MISSING_EPISODE','SCHOOL_ABSENCE',
          'UNSCHEDULED_CARE_ATTENDANCE','APPOINTMENT_MISSED','INJURY','REFERRAL','ASSESSMENT','MEETING','PLAN_CHANGE','NOTE')),
        severity text NOT NULL CHECK (severity IN ('INFO','LOW','MEDIUM','HIGH','CRITICAL')),
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        agency_id uuid NOT NULL REFERENCES agencies(id),
        author_id uuid NOT NULL REFERENCES users(id),
        visibility text NOT NULL CHECK (visibility IN ('NETWORK','AGENCY','RESTRICTED')),
        audience_user_ids uuid[] NOT NULL DEFAULT '{}',
        audience_agency_ids uuid[] NOT NULL DEFAULT '{}',
        summary text NOT NULL,
        body text,
        amends_event_id uuid REFERENCES timeline_events(id),
        amendment_reason text
      )`);
    await q.query(
      `CREATE INDEX timeline_events_family_page_idx ON timeline_events (family_id, recorded_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX timeline_events_amends_idx ON timeline_events (amends_event_id) WHERE amends_event_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE event_subjects (
        family_id uuid NOT NULL REFERENCES families(id),
        event_id uuid NOT NULL REFERENCES timeline_events(id),
        person_id uuid NOT NULL REFERENCES persons(id),
        PRIMARY KEY (event_id, person_id)
      )`);
    await q.query(`CREATE INDEX event_subjects_person_idx ON event_subjects (person_id)`);
    await q.query(`
      CREATE TABLE event_replies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES families(id),
        event_id uuid NOT NULL REFERENCES timeline_events(id),
        author_id uuid NOT NULL REFERENCES users(id),
        agency_id uuid NOT NULL REFERENCES agencies(id),
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX event_replies_event_idx ON event_replies (event_id, created_at, id)`);
    await q.query(`
      CREATE TABLE event_acknowledgements (
        family_id uuid NOT NULL REFERENCES families(id),
        event_id uuid NOT NULL REFERENCES timeline_events(id),
        user_id uuid NOT NULL REFERENCES users(id),
        acknowledged_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE sharing_policies (
        agency_id uuid NOT NULL REFERENCES agencies(id),
        event_kind text NOT NULL,
        visibility text NOT NULL CHECK (visibility IN ('NETWORK','AGENCY')),
        PRIMARY KEY (agency_id, event_kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'sharing_policies',
      'event_acknowledgements',
      'event_replies',
      'event_subjects',
      'timeline_events',
      'access_grants',
      'join_requests',
      'network_members',
      'family_memberships',
      'persons',
      'families',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
