import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (libs/audit): entries, the hash chain the sealer keeps beside them, and
 * checkpoints of the chain head. All three tables are append-only; triggers refuse the rest.
 */
export class CreateAuditTrail1795324944396 implements MigrationInterface {
  name = 'CreateAuditTrail1795324944396';

  async up(queryRunner: QueryRunner): Promise<void> {
    // An enum type, so a later issue adds an action with one `ALTER TYPE audit_action ADD VALUE`.
    await queryRunner.query(`
      CREATE TYPE audit_action AS ENUM (
        'READ', 'CREATE', 'UPDATE', 'LOGIN', 'LOGIN_FAILED', 'LOGOUT', 'ROLE_CHANGE', 'DISABLE',
        'GRANT', 'REVOKE', 'BREAK_GLASS', 'EXPORT', 'DENIED'
      )`);
    await queryRunner.query(`CREATE TYPE audit_outcome AS ENUM ('ALLOWED', 'DENIED')`);

    await queryRunner.query(`
      CREATE TABLE audit_entries (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        at              timestamptz(3) NOT NULL DEFAULT clock_timestamp(),
        actor_id        uuid,
        actor_agency_id uuid,
        actor_roles     text[] NOT NULL DEFAULT '{}',
        action          audit_action NOT NULL,
        outcome         audit_outcome NOT NULL DEFAULT 'ALLOWED',
        subject_type    text CHECK (char_length(subject_type) <= 64),
        subject_id      text CHECK (char_length(subject_id) <= 256),
        family_id       uuid,
        person_id       uuid,
        reason          text CHECK (char_length(reason) <= 4000),
        detail          jsonb CHECK (octet_length(detail::text) <= 16384),
        request_id      text CHECK (char_length(request_id) <= 64),
        client_address  text CHECK (char_length(client_address) <= 64),
        user_agent      text CHECK (char_length(user_agent) <= 512),
        txid            xid8 NOT NULL DEFAULT pg_current_xact_id()
      )`);

    // Auditor filters, each ending in (at, id) for keyset pages newest first (scanned backwards).
    await queryRunner.query(`CREATE INDEX audit_entries_at_idx ON audit_entries (at, id)`);
    for (const [name, column] of [
      ['actor', 'actor_id'],
      ['agency', 'actor_agency_id'],
      ['family', 'family_id'],
      ['person', 'person_id'],
    ]) {
      await queryRunner.query(
        `CREATE INDEX audit_entries_${name}_idx ON audit_entries (${column}, at, id) WHERE ${column} IS NOT NULL`,
      );
    }
    await queryRunner.query(`CREATE INDEX audit_entries_action_idx ON audit_entries (action, at, id)`);
    await queryRunner.query(`CREATE INDEX audit_entries_denied_idx ON audit_entries (at, id) WHERE outcome = 'DENIED'`);
    // The sealer's order.
    await queryRunner.query(`CREATE INDEX audit_entries_seal_order_idx ON audit_entries (txid, id)`);

    await queryRunner.query(`
      CREATE TABLE audit_seals (
        entry_id   uuid PRIMARY KEY,
        position   bigint NOT NULL UNIQUE CHECK (position > 0),
        entry_txid xid8 NOT NULL,
        prev_hash  text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        sealed_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE audit_checkpoints (
        position  bigint PRIMARY KEY CHECK (position > 0),
        head_hash text NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
        at        timestamptz NOT NULL
      )`);

    // The database, not the caller, says when an entry was written and by which transaction:
    // the sealer's safety rests on txid being the inserting transaction.
    await queryRunner.query(`
      CREATE FUNCTION audit_stamp_entry() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.at := clock_timestamp();
        NEW.txid := pg_current_xact_id();
        RETURN NEW;
      END
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_entries_stamp BEFORE INSERT ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_stamp_entry()`);

    await queryRunner.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    for (const table of ['audit_entries', 'audit_seals', 'audit_checkpoints']) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_checkpoints`);
    await queryRunner.query(`DROP TABLE audit_seals`);
    await queryRunner.query(`DROP TABLE audit_entries`);
    await queryRunner.query(`DROP FUNCTION audit_refuse_change()`);
    await queryRunner.query(`DROP FUNCTION audit_stamp_entry()`);
    await queryRunner.query(`DROP TYPE audit_outcome`);
    await queryRunner.query(`DROP TYPE audit_action`);
  }
}
