import { AgencyEntity } from './agency.entity.js';
import { CredentialEntity } from './credential.entity.js';
import { LoginThrottleEntity } from './login-throttle.entity.js';
import { RefreshTokenEntity, SessionEntity } from './session.entity.js';
import { UserEntity } from './user.entity.js';

/** The tables identity owns: only its SQL names them (checked by `npm run lint`). */
export const IDENTITY_TABLES = [
  'agencies',
  'users',
  'credentials',
  'sessions',
  'refresh_tokens',
  'login_throttle',
] as const;

/** One entity per table above. */
export const IDENTITY_ENTITIES = [
  AgencyEntity,
  UserEntity,
  CredentialEntity,
  SessionEntity,
  RefreshTokenEntity,
  LoginThrottleEntity,
];
