import { AgencyEntity } from './agency.entity.js';
import { CredentialEntity } from './credential.entity.js';
import { DirectorySearchCountEntity } from './directory.entity.js';
import {
  AgencyIdentityProviderEntity,
  ExternalIdentityEntity,
  ExternalSignInAttemptEntity,
  ExternalSignInHandoffEntity,
} from './external-sign-in.entity.js';
import { MfaFactorEntity, MfaRecoveryCodeEntity } from './mfa.entity.js';
import { PasswordResetEntity } from './password-reset.entity.js';
import { RefreshTokenEntity, SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/** The tables identity owns: only its SQL names them (checked by `npm run lint`). */
export const IDENTITY_TABLES = [
  'agencies',
  'users',
  'credentials',
  'sessions',
  'refresh_tokens',
  'password_resets',
  'mfa_factors',
  'mfa_recovery_codes',
  'directory_search_counts',
  'agency_identity_providers',
  'external_identities',
  'external_sign_in_attempts',
  'external_sign_in_handoffs',
] as const;

/** One entity per table above. */
export const IDENTITY_ENTITIES = [
  AgencyEntity,
  UserEntity,
  CredentialEntity,
  SessionEntity,
  RefreshTokenEntity,
  PasswordResetEntity,
  MfaFactorEntity,
  MfaRecoveryCodeEntity,
  DirectorySearchCountEntity,
  AgencyIdentityProviderEntity,
  ExternalIdentityEntity,
  ExternalSignInAttemptEntity,
  ExternalSignInHandoffEntity,
];
