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
  /**
   * With `facts`, the session check reads the user's access facts in the same statement (one
   * round trip for both) and hands them to `facts.adopt` once the session is found live.
   */
  authenticate(accessToken: string, facts?: FactsSource): Promise<Principal>;
}
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

/**
 * Implemented by network, which owns the access facts: what an operation's ability is built from,
 * read by the authenticator together with the session check, so a request's ability costs no
 * round trip of its own. Only a GraphQL query's principal (one request, which writes nothing its
 * facts depend on) is given facts this way; a mutation's reads them in its transaction, a socket's
 * principal (which lives longer) never keeps them.
 */
export interface FactsSource {
  /** A SELECT of the facts' rows of the user whose id is `$1` (it names only its owner's tables). */
  readonly statement: string;
  /** The rows `statement` returned (as JSON objects) become the principal's facts for its request. */
  adopt(principal: Principal, rows: readonly Record<string, unknown>[]): void;
}
export const FACTS_SOURCE = Symbol('FACTS_SOURCE');

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
