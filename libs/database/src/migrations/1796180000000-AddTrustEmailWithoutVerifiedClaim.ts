import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddTrustEmailWithoutVerifiedClaim1796180000000 implements MigrationInterface {
  name = 'AddTrustEmailWithoutVerifiedClaim1796180000000';

  async up(q: QueryRunner): Promise<void> {
    // Some providers (Entra ID among them) send no email_verified claim: an agency may say its
    // provider's emails are trusted without it (still only within its allowed domains).
    await q.query(
      `ALTER TABLE agency_identity_providers
         ADD COLUMN trust_email_without_verified_claim boolean NOT NULL DEFAULT false`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE agency_identity_providers DROP COLUMN trust_email_without_verified_claim`);
  }
}
