import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentity1795324738262 implements MigrationInterface {
  name = 'CreateIdentity1795324738262';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agencies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('SOCIAL_CARE','POLICE','HEALTH','EDUCATION','HOUSING','PROBATION','YOUTH_JUSTICE','VOLUNTARY','OTHER')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX agencies_name_key ON agencies (lower(name))`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agency_id uuid NOT NULL REFERENCES agencies(id),
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL,
        job_title text,
        phone text,
        roles text[] NOT NULL CHECK (roles <@ ARRAY['PRACTITIONER','MANAGER','AGENCY_ADMIN','AUDITOR','PARTNERSHIP_ADMIN']::text[]),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','DISABLED')),
        manager_id uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);
    await q.query(`CREATE INDEX users_agency_email_idx ON users (agency_id, email)`);
    await q.query(`CREATE INDEX users_manager_idx ON users (manager_id) WHERE manager_id IS NOT NULL`);
    await q.query(`CREATE INDEX users_roles_idx ON users USING gin (roles)`);
    await q.query(`
      CREATE TABLE credentials (
        user_id uuid PRIMARY KEY REFERENCES users(id),
        password_hash text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query(`CREATE INDEX sessions_user_live_idx ON sessions (user_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES sessions(id),
        token_hash bytea NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash)`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);
    await q.query(`
      CREATE TABLE login_throttle (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        locked_until timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_throttle`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE credentials`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE agencies`);
  }
}
