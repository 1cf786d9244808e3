import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddAgencyIdentityProviders1796150000000 implements MigrationInterface {
  name = 'AddAgencyIdentityProviders1796150000000';

  async up(q: QueryRunner): Promise<void> {
    // An agency's OpenID provider. The client secret is never stored: only the name of the
    // environment variable that holds it.
    await q.query(`
      CREATE TABLE agency_identity_providers (
        agency_id uuid PRIMARY KEY REFERENCES agencies(id),
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret_env text,
        email_claim text NOT NULL,
        allowed_email_domains text[] NOT NULL,
        password_sign_in boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A Hearth account linked to a provider's stable subject (iss + sub).
    await q.query(`
      CREATE TABLE external_identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        issuer text NOT NULL,
        subject text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX external_identities_issuer_subject_key ON external_identities (issuer, subject)`,
    );
    await q.query(`CREATE UNIQUE INDEX external_identities_user_issuer_key ON external_identities (user_id, issuer)`);
    // A sign-in sent to a provider: state (hashed), nonce and PKCE verifier, short-lived, single use.
    await q.query(`
      CREATE TABLE external_sign_in_attempts (
        state_hash bytea PRIMARY KEY,
        agency_id uuid NOT NULL REFERENCES agencies(id),
        browser_hash bytea NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX external_sign_in_attempts_expires_at_idx ON external_sign_in_attempts (expires_at)`);
    // A verified sign-in waiting for the web client to exchange its one-time code (hashed).
    await q.query(`
      CREATE TABLE external_sign_in_handoffs (
        code_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id),
        issuer text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX external_sign_in_handoffs_expires_at_idx ON external_sign_in_handoffs (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE external_sign_in_handoffs`);
    await q.query(`DROP TABLE external_sign_in_attempts`);
    await q.query(`DROP TABLE external_identities`);
    await q.query(`DROP TABLE agency_identity_providers`);
  }
}
