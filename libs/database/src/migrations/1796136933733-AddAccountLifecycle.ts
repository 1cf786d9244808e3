import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAccountLifecycle1796136933733 implements MigrationInterface {
  name = 'AddAccountLifecycle1796136933733';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN contact_route text`);
    // An admin chose the password (a new account): its owner must replace it at the next sign-in.
    await q.query(`ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        issued_by uuid NOT NULL REFERENCES users(id),
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX password_resets_hash_key ON password_resets (token_hash)`);
    await q.query(`CREATE INDEX password_resets_user_open_idx ON password_resets (user_id) WHERE used_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE password_resets`);
    await q.query(`ALTER TABLE users DROP COLUMN must_change_password`);
    await q.query(`ALTER TABLE users DROP COLUMN contact_route`);
  }
}
