import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbound notifications: each user's choices, agencies' webhook endpoints, and the durable outbox. */
export class CreateNotifyOutbox1796139706228 implements MigrationInterface {
  name = 'CreateNotifyOutbox1796139706228';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_preferences (
        user_id uuid PRIMARY KEY REFERENCES users(id),
        email_floor text NOT NULL DEFAULT 'AMBER' CHECK (email_floor IN ('ALL','GREEN','AMBER','RED')),
        webhook_floor text NOT NULL DEFAULT 'RED' CHECK (webhook_floor IN ('ALL','GREEN','AMBER','RED')),
        time_zone text NOT NULL DEFAULT 'Europe/London',
        quiet_start time,
        quiet_end time,
        digest_at time DEFAULT '07:30:00',
        muted_family_ids uuid[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
      )`);
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agency_id uuid NOT NULL REFERENCES agencies(id),
        url text NOT NULL,
        secret text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        consecutive_failures integer NOT NULL DEFAULT 0,
        disabled_at timestamptz,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_agency_idx ON webhook_endpoints (agency_id)`);
    await q.query(`
      CREATE TABLE outbox_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        channel text NOT NULL CHECK (channel IN ('EMAIL','WEBHOOK')),
        kind text NOT NULL CHECK (kind IN ('NOTIFICATION','DIGEST')),
        user_id uuid NOT NULL REFERENCES users(id),
        endpoint_id uuid REFERENCES webhook_endpoints(id),
        notification_seq bigint,
        type text,
        family_id uuid REFERENCES families(id),
        event_id uuid,
        alert_id uuid,
        rag text,
        idempotency_key text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING'
          CHECK (status IN ('PENDING','HELD','SENT','DROPPED','DEAD','DIGESTED')),
        not_before timestamptz NOT NULL,
        give_up_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        digest_id uuid REFERENCES outbox_messages(id),
        item_count integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CHECK ((channel = 'WEBHOOK') = (endpoint_id IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX outbox_messages_idempotency_key ON outbox_messages (idempotency_key)`);
    await q.query(`CREATE INDEX outbox_messages_due_idx ON outbox_messages (not_before) WHERE status = 'PENDING'`);
    await q.query(`CREATE INDEX outbox_messages_held_idx ON outbox_messages (user_id) WHERE status = 'HELD'`);
    await q.query(`CREATE INDEX outbox_messages_dead_idx ON outbox_messages (endpoint_id) WHERE status = 'DEAD'`);
    await q.query(`CREATE INDEX outbox_messages_family_idx ON outbox_messages (family_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_messages`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DROP TABLE notification_preferences`);
  }
}
