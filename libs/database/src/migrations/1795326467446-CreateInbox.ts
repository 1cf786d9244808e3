import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInbox1795326467446 implements MigrationInterface {
  name = 'CreateInbox1795326467446';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbox_counters (
        user_id uuid PRIMARY KEY REFERENCES users(id),
        last_seq bigint NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notifications (
        user_id uuid NOT NULL REFERENCES users(id),
        seq bigint NOT NULL,
        type text NOT NULL CHECK (type IN ('EVENT_POSTED','ALERT_RAISED','ALERT_UPDATED','REPLY_POSTED','MEMBERSHIP_CHANGED','ACCESS_GRANTED')),
        family_id uuid REFERENCES families(id),
        event_id uuid,
        alert_id uuid,
        rag text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        PRIMARY KEY (user_id, seq)
      )`);
    await q.query(`CREATE INDEX notifications_family_idx ON notifications (family_id, user_id)`);
    // The socket.io PostgreSQL adapter keeps payloads too large for NOTIFY here.
    await q.query(`
      CREATE TABLE socket_io_attachments (
        id bigserial UNIQUE,
        created_at timestamptz DEFAULT now(),
        payload bytea
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE socket_io_attachments`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE inbox_counters`);
  }
}
