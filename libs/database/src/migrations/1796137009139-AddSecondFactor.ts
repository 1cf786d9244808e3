import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddSecondFactor1796137009139 implements MigrationInterface {
  name = 'AddSecondFactor1796137009139';

  async up(q: QueryRunner): Promise<void> {
    // Whether the session was opened with a second factor: oversight roles may require it.
    await q.query(`ALTER TABLE sessions ADD COLUMN mfa_verified boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE mfa_factors (
        user_id uuid PRIMARY KEY REFERENCES users(id),
        secret_box bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz,
        last_used_step bigint,
        attempts integer NOT NULL DEFAULT 0,
        window_started_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE mfa_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        code_hash bytea NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX mfa_recovery_codes_user_hash_key ON mfa_recovery_codes (user_id, code_hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mfa_recovery_codes`);
    await q.query(`DROP TABLE mfa_factors`);
    await q.query(`ALTER TABLE sessions DROP COLUMN mfa_verified`);
  }
}
