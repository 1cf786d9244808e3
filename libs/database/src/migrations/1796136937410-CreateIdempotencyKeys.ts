import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The first outcome of each mutation sent with an Idempotency-Key, per user, kept for 24 hours. */
export class CreateIdempotencyKeys1796136937410 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1796136937410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL REFERENCES users(id),
        key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
        request_hash bytea NOT NULL,
        http_status smallint NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
