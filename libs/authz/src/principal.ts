import { registerEnumType } from '@nestjs/graphql';

export enum Role {
  PRACTITIONER = 'PRACTITIONER',
  MANAGER = 'MANAGER',
  AGENCY_ADMIN = 'AGENCY_ADMIN',
  AUDITOR = 'AUDITOR',
  PARTNERSHIP_ADMIN = 'PARTNERSHIP_ADMIN',
}
registerEnumType(Role, { name: 'Role' });

export const ALL_ROLES: readonly Role[] = Object.values(Role);

/** Who is making the request, as established by authentication for this request. */
export interface Principal {
  readonly userId: string;
  readonly agencyId: string;
  readonly roles: readonly Role[];
  /** The login session the access token belongs to. */
  readonly sessionId: string;
}

/** Implemented by identity: turns a bearer token into a principal, or refuses it. */
export interface Authenticator {
  authenticate(accessToken: string): Promise<Principal>;
}
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

/** Implemented by audit: records a request the guard refused. */
export interface DenialRecorder {
  recordDenial(denial: { principal: Principal | undefined; operation: string; reason: string }): Promise<void>;
}
export const DENIAL_RECORDER = Symbol('DENIAL_RECORDER');
