import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';

/** An agency's OpenID provider as stored. */
export interface IdentityProviderRow {
  agency_id: string;
  agency_name: string;
  issuer: string;
  client_id: string;
  client_secret_env: string | null;
  email_claim: string;
  allowed_email_domains: string[];
  password_sign_in: boolean;
  trust_email_without_verified_claim: boolean;
  updated_at: Date;
}

export interface NewIdentityProvider {
  agencyId: string;
  issuer: string;
  clientId: string;
  clientSecretEnv: string | null;
  emailClaim: string;
  allowedEmailDomains: readonly string[];
  passwordSignIn: boolean;
  trustEmailWithoutVerifiedClaim: boolean;
}

/** A sign-in sent to a provider, as its callback takes it back. */
export interface SignInAttemptRow {
  agency_id: string;
  browser_hash: Buffer;
  nonce: string;
  code_verifier: string;
  expires_at: Date;
}

const SELECT_PROVIDER = `
  SELECT p.agency_id, a.name AS agency_name, p.issuer, p.client_id, p.client_secret_env, p.email_claim,
         p.allowed_email_domains, p.password_sign_in, p.trust_email_without_verified_claim, p.updated_at
  FROM agency_identity_providers p JOIN agencies a ON a.id = p.agency_id`;

@Injectable()
export class ExternalSignInRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findProvider(
    agencyId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<IdentityProviderRow | undefined> {
    const rows: IdentityProviderRow[] = await manager.query(`${SELECT_PROVIDER} WHERE p.agency_id = $1`, [agencyId]);
    return rows[0];
  }

  /** Every agency with a provider, by agency name. */
  listProviders(): Promise<IdentityProviderRow[]> {
    return this.dataSource.query(`${SELECT_PROVIDER} ORDER BY a.name`);
  }

  async upsertProvider(manager: EntityManager, provider: NewIdentityProvider): Promise<void> {
    await manager.query(
      `INSERT INTO agency_identity_providers
         (agency_id, issuer, client_id, client_secret_env, email_claim, allowed_email_domains, password_sign_in,
          trust_email_without_verified_claim)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (agency_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
         client_secret_env = EXCLUDED.client_secret_env, email_claim = EXCLUDED.email_claim,
         allowed_email_domains = EXCLUDED.allowed_email_domains, password_sign_in = EXCLUDED.password_sign_in,
         trust_email_without_verified_claim = EXCLUDED.trust_email_without_verified_claim,
         updated_at = now()`,
      [
        provider.agencyId,
        provider.issuer,
        provider.clientId,
        provider.clientSecretEnv,
        provider.emailClaim,
        provider.allowedEmailDomains,
        provider.passwordSignIn,
        provider.trustEmailWithoutVerifiedClaim,
      ],
    );
  }

  async removeProvider(manager: EntityManager, agencyId: string): Promise<boolean> {
    const rows = await updateReturning(
      manager,
      `DELETE FROM agency_identity_providers WHERE agency_id = $1 RETURNING 1`,
      [agencyId],
    );
    return rows.length > 0;
  }

  /** False when the agency has a provider and turned password sign-in off. */
  async passwordSignInAllowed(manager: EntityManager, agencyId: string): Promise<boolean> {
    const rows: { password_sign_in: boolean }[] = await manager.query(
      `SELECT password_sign_in FROM agency_identity_providers WHERE agency_id = $1`,
      [agencyId],
    );
    return rows[0]?.password_sign_in ?? true;
  }

  /** Keeps a sign-in in flight, dropping those past their expiry. */
  async insertAttempt(
    manager: EntityManager,
    attempt: { stateHash: Buffer; agencyId: string; browserHash: Buffer; nonce: string; codeVerifier: string },
    now: Date,
    expiresAt: Date,
  ): Promise<void> {
    await manager.query(`DELETE FROM external_sign_in_attempts WHERE expires_at <= $1`, [now]);
    await manager.query(
      `INSERT INTO external_sign_in_attempts (state_hash, agency_id, browser_hash, nonce, code_verifier, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [attempt.stateHash, attempt.agencyId, attempt.browserHash, attempt.nonce, attempt.codeVerifier, expiresAt],
    );
  }

  /** Takes a sign-in in flight out, so that its state is used once whatever happens next. */
  async takeAttempt(manager: EntityManager, stateHash: Buffer): Promise<SignInAttemptRow | undefined> {
    const rows = await updateReturning<SignInAttemptRow>(
      manager,
      `DELETE FROM external_sign_in_attempts WHERE state_hash = $1
       RETURNING agency_id, browser_hash, nonce, code_verifier, expires_at`,
      [stateHash],
    );
    return rows[0];
  }

  /** The account linked to a provider's subject. */
  async findLinkBySubject(
    manager: EntityManager,
    issuer: string,
    subject: string,
  ): Promise<{ id: string; user_id: string } | undefined> {
    const rows: { id: string; user_id: string }[] = await manager.query(
      `SELECT id, user_id FROM external_identities WHERE issuer = $1 AND subject = $2`,
      [issuer, subject],
    );
    return rows[0];
  }

  /** Whether the account is linked to another subject of this provider already. */
  async isLinked(manager: EntityManager, userId: string, issuer: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM external_identities WHERE user_id = $1 AND issuer = $2`,
      [userId, issuer],
    );
    return rows.length > 0;
  }

  async insertLink(
    manager: EntityManager,
    userId: string,
    issuer: string,
    subject: string,
    now: Date,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO external_identities (user_id, issuer, subject, last_sign_in_at) VALUES ($1, $2, $3, $4) RETURNING id`,
      [userId, issuer, subject, now],
    );
    return rows[0]!.id;
  }

  async touchLink(manager: EntityManager, id: string, now: Date): Promise<void> {
    await manager.query(`UPDATE external_identities SET last_sign_in_at = $2 WHERE id = $1`, [id, now]);
  }

  /** Keeps a verified sign-in for the web client to redeem, dropping those past their expiry. */
  async insertHandoff(
    manager: EntityManager,
    handoff: { codeHash: Buffer; userId: string; issuer: string },
    now: Date,
    expiresAt: Date,
  ): Promise<void> {
    await manager.query(`DELETE FROM external_sign_in_handoffs WHERE expires_at <= $1`, [now]);
    await manager.query(
      `INSERT INTO external_sign_in_handoffs (code_hash, user_id, issuer, expires_at) VALUES ($1, $2, $3, $4)`,
      [handoff.codeHash, handoff.userId, handoff.issuer, expiresAt],
    );
  }

  /** Takes a handoff out: a code is redeemed once. */
  async takeHandoff(
    manager: EntityManager,
    codeHash: Buffer,
  ): Promise<{ user_id: string; issuer: string; expires_at: Date } | undefined> {
    const rows = await updateReturning<{ user_id: string; issuer: string; expires_at: Date }>(
      manager,
      `DELETE FROM external_sign_in_handoffs WHERE code_hash = $1 RETURNING user_id, issuer, expires_at`,
      [codeHash],
    );
    return rows[0];
  }
}
