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

/** What was refused: the operation, why, and the family it was about when known. */
export interface Denial {
  readonly principal: Principal | undefined;
  readonly operation: string;
  readonly reason: string;
  readonly familyId?: string | undefined;
}

/** Implemented by audit: records a refused request (by the guard or inside a service). */
export interface DenialRecorder {
  recordDenial(denial: Denial): Promise<void>;
}
export const DENIAL_RECORDER = Symbol('DENIAL_RECORDER');
