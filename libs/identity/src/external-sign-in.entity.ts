import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { AgencyEntity } from './agency.entity.js';
import { UserEntity } from './user.entity.js';

/** An agency's OpenID provider. The client secret itself is never stored, only where to find it. */
@Entity('agency_identity_providers')
export class AgencyIdentityProviderEntity {
  @PrimaryColumn({ name: 'agency_id', type: 'uuid' })
  @ForeignKey(() => AgencyEntity, { name: 'agency_identity_providers_agency_id_fkey' })
  agencyId: string;

  @Column({ type: 'text' })
  issuer: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId: string;

  /** The name of the environment variable that holds the client secret; null for a public client. */
  @Column({ name: 'client_secret_env', type: 'text', nullable: true })
  clientSecretEnv: string | null;

  @Column({ name: 'email_claim', type: 'text' })
  emailClaim: string;

  @Column({ name: 'allowed_email_domains', type: 'text', array: true })
  allowedEmailDomains: string[];

  /** Whether the agency's users may still sign in with a Hearth password. */
  @Column({ name: 'password_sign_in', type: 'boolean' })
  passwordSignIn: boolean;

  /**
   * Whether an email the provider names without an `email_verified` claim is taken as verified
   * (providers such as Entra ID send none). A claim of `false` is never trusted.
   */
  @Column({ name: 'trust_email_without_verified_claim', type: 'boolean', default: false })
  trustEmailWithoutVerifiedClaim: boolean;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** A Hearth account linked to a provider's stable subject. */
@Entity('external_identities')
@Index('external_identities_issuer_subject_key', ['issuer', 'subject'], { unique: true })
@Index('external_identities_user_issuer_key', ['userId', 'issuer'], { unique: true })
export class ExternalIdentityEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'external_identities_user_id_fkey' })
  userId: string;

  @Column({ type: 'text' })
  issuer: string;

  @Column({ type: 'text' })
  subject: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_sign_in_at', type: 'timestamptz', nullable: true })
  lastSignInAt: Date | null;
}

/** A sign-in sent to a provider, kept until its callback (once) or its expiry. */
@Entity('external_sign_in_attempts')
@Index('external_sign_in_attempts_expires_at_idx', ['expiresAt'])
export class ExternalSignInAttemptEntity {
  /** sha256 of the `state` sent to the provider. */
  @PrimaryColumn({ name: 'state_hash', type: 'bytea' })
  stateHash: Buffer;

  @Column({ name: 'agency_id', type: 'uuid' })
  @ForeignKey(() => AgencyEntity, { name: 'external_sign_in_attempts_agency_id_fkey' })
  agencyId: string;

  /** sha256 of the cookie given to the browser that started the sign-in. */
  @Column({ name: 'browser_hash', type: 'bytea' })
  browserHash: Buffer;

  @Column({ type: 'text' })
  nonce: string;

  @Column({ name: 'code_verifier', type: 'text' })
  codeVerifier: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}

/** A verified sign-in the web client redeems once with its code (only the code's hash is kept). */
@Entity('external_sign_in_handoffs')
@Index('external_sign_in_handoffs_expires_at_idx', ['expiresAt'])
export class ExternalSignInHandoffEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'bytea' })
  codeHash: Buffer;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'external_sign_in_handoffs_user_id_fkey' })
  userId: string;

  @Column({ type: 'text' })
  issuer: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
