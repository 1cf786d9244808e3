import { unauthenticated } from '@hearth/errors';
import type { Authenticator } from '@hearth/authz';

/**
 * Until identity provides the real authenticator, no bearer token is valid: every declared,
 * non-public route answers UNAUTHENTICATED. Identity replaces this provider.
 */
export const noSessions: Authenticator = {
  authenticate: () => Promise.reject(unauthenticated()),
};
