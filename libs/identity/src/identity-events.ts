import type { EntityManager } from 'typeorm';
import type { Principal, Role } from '@hearth/authz';
import type { AgencyKind } from './identity.enums.js';

/** Why a login failed, for the audit trail only: the client always hears the same message. */
export type LoginFailure = 'unknown-email' | 'wrong-password' | 'account-disabled' | 'locked-out';

/** The acts of identity that the audit trail records. Never a password or a token. */
export type IdentityEvent =
  | {
      readonly kind: 'login';
      readonly userId: string;
      readonly agencyId: string;
      readonly roles: readonly Role[];
      readonly sessionId: string;
    }
  | {
      readonly kind: 'login-failed';
      /** HMAC of the identifier typed (never the text: it may be anything); the account's id when it exists. */
      readonly identifierHash: string;
      readonly userId: string | null;
      readonly reason: LoginFailure;
    }
  | { readonly kind: 'logout'; readonly principal: Principal }
  | { readonly kind: 'session-revoked'; readonly userId: string; readonly sessionId: string; readonly reason: string }
  | {
      readonly kind: 'user-created';
      readonly principal: Principal;
      readonly userId: string;
      readonly agencyId: string;
      readonly roles: readonly Role[];
    }
  | {
      readonly kind: 'roles-changed';
      readonly principal: Principal;
      readonly userId: string;
      readonly agencyId: string;
      readonly before: readonly Role[];
      readonly after: readonly Role[];
    }
  | {
      readonly kind: 'user-disabled';
      readonly principal: Principal;
      readonly userId: string;
      readonly agencyId: string;
    }
  | {
      /** Separation of duties: someone tried to change their own roles or status. */
      readonly kind: 'self-change-refused';
      readonly principal: Principal;
      readonly operation: 'setUserRoles' | 'disableUser' | 'enableUser';
      /** The roles asked for, for setUserRoles. */
      readonly roles?: readonly Role[];
    }
  | {
      readonly kind: 'agency-created';
      readonly principal: Principal;
      readonly agencyId: string;
      readonly name: string;
      readonly agencyKind: AgencyKind;
    };

/**
 * Identity's hook for the audit trail: called inside the transaction of the act, so if recording
 * fails the act fails. Identity does not depend on audit; the app that knows both implements it.
 */
export interface IdentityEventRecorder {
  record(manager: EntityManager, event: IdentityEvent): Promise<void>;
}

export const IDENTITY_EVENTS = Symbol('IDENTITY_EVENTS');
