import type { EntityManager } from 'typeorm';
import type { Principal, Role } from '@hearth/authz';
import type { AgencyKind, LoginStep } from './identity.enums.js';
import type { SignInMethod } from './token.service.js';

/** Changes to one's own account that only someone else may make. */
export type SelfChange = 'setUserRoles' | 'disableUser' | 'enableUser' | 'resetUserPassword' | 'removeUserMfa';

/** Why a login failed, for the audit trail only: the client always hears the same message. */
export type LoginFailure =
  'unknown-email' | 'wrong-password' | 'account-disabled' | 'locked-out' | 'password-sign-in-off';

/** Why a sign-in through an agency's identity provider was refused (the client hears only a code). */
export type ExternalSignInFailure =
  | 'no-provider'
  | 'provider-unavailable'
  | 'unknown-state'
  | 'expired-state'
  | 'other-browser'
  | 'provider-error'
  | 'verification-failed'
  | 'no-email'
  | 'email-not-verified'
  | 'email-domain-not-allowed'
  | 'unknown-account'
  | 'account-disabled'
  | 'other-agency'
  | 'linked-to-another-subject'
  | 'handoff-refused';

/** The acts of identity that the audit trail records. Never a password or a token. */
export type IdentityEvent =
  | {
      readonly kind: 'login';
      readonly userId: string;
      readonly agencyId: string;
      readonly roles: readonly Role[];
      readonly sessionId: string;
      /** The session was opened with a second factor. */
      readonly mfa: boolean;
      readonly method: SignInMethod;
    }
  | {
      /** The password was right; the sign-in needs another step before a session. */
      readonly kind: 'login-challenged';
      readonly userId: string;
      readonly agencyId: string;
      readonly step: LoginStep;
      readonly method: SignInMethod;
    }
  | {
      /** The agency's identity provider vouched for the account; a one-time handoff code was issued. */
      readonly kind: 'external-sign-in-verified';
      readonly userId: string;
      readonly agencyId: string;
      readonly issuer: string;
      /** How the account was found: its linked subject, or its verified email at the first sign-in. */
      readonly linkedBy: 'subject' | 'email';
    }
  | {
      readonly kind: 'external-sign-in-refused';
      readonly reason: ExternalSignInFailure;
      readonly agencyId: string | null;
      readonly issuer: string | null;
      /** The account's id when one was found. */
      readonly userId: string | null;
      /** HMAC of the email the provider named, when it named one (never the text). */
      readonly identifierHash: string | null;
      /** What the verification library or the provider said failed (an error code and claim name). */
      readonly check?: string;
    }
  | {
      /** An account linked to a provider's subject at its first sign-in through that provider. */
      readonly kind: 'external-identity-linked';
      readonly userId: string;
      readonly agencyId: string;
      readonly issuer: string;
      readonly subject: string;
      readonly linkId: string;
      /** Whether the provider said the email was verified, or sent no claim and the agency trusts that. */
      readonly emailVerifiedBy: 'claim' | 'agency-setting';
    }
  | {
      readonly kind: 'identity-provider-configured';
      readonly principal: Principal;
      readonly agencyId: string;
      readonly issuer: string;
      readonly clientId: string;
      readonly allowedEmailDomains: readonly string[];
      readonly passwordSignIn: boolean;
      readonly trustEmailWithoutVerifiedClaim: boolean;
    }
  | { readonly kind: 'identity-provider-removed'; readonly principal: Principal; readonly agencyId: string }
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
      readonly operation: SelfChange;
      /** The roles asked for, for setUserRoles. */
      readonly roles?: readonly Role[];
    }
  | {
      readonly kind: 'user-enabled';
      readonly principal: Principal;
      readonly userId: string;
      readonly agencyId: string;
    }
  | {
      /** Someone set their own password: at a forced change during sign-in, or from their settings. */
      readonly kind: 'password-changed';
      readonly userId: string;
      readonly agencyId: string;
      readonly roles: readonly Role[];
      readonly via: 'sign-in' | 'settings' | 'reset';
      /** Other sessions ended by the change. */
      readonly sessionsEnded: number;
    }
  | { readonly kind: 'password-change-refused'; readonly principal: Principal; readonly reason: 'wrong-password' }
  | {
      readonly kind: 'password-reset-issued';
      readonly principal: Principal;
      readonly userId: string;
      readonly agencyId: string;
      readonly resetId: string;
      readonly expiresAt: Date;
    }
  | {
      /** A reset token was refused: unknown, spent, expired or for an account no longer active. */
      readonly kind: 'password-reset-refused';
      readonly resetId: string | null;
      readonly userId: string | null;
    }
  | { readonly kind: 'contact-card-updated'; readonly principal: Principal; readonly fields: readonly string[] }
  | { readonly kind: 'mfa-enrolment-started'; readonly principal: Principal }
  | { readonly kind: 'mfa-enrolled'; readonly principal: Principal; readonly recoveryCodes: number }
  | { readonly kind: 'mfa-recovery-codes-regenerated'; readonly principal: Principal; readonly recoveryCodes: number }
  | {
      readonly kind: 'mfa-failed';
      readonly userId: string;
      readonly agencyId: string;
      readonly reason: 'wrong-code' | 'code-reused' | 'rate-limited';
    }
  | { readonly kind: 'mfa-recovery-code-used'; readonly userId: string; readonly agencyId: string }
  | {
      /** An admin removed someone's second factor (a lost phone); they sign in with a password again. */
      readonly kind: 'mfa-removed';
      readonly principal: Principal;
      readonly userId: string;
      readonly agencyId: string;
    }
  | {
      /** A directory search: its filters and the ids listed, never the text typed. */
      readonly kind: 'directory-searched';
      readonly principal: Principal;
      readonly agencyId: string | null;
      readonly role: Role | null;
      readonly resultIds: readonly string[];
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
