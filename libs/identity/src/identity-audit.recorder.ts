import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditAction, AuditLog, AuditOutcome, type AuditEntryInput } from '@hearth/audit';
import type { ExternalSignInFailure, IdentityEvent, IdentityEventRecorder, LoginFailure } from './identity-events.js';

const FAILURE_REASONS: Record<LoginFailure, string> = {
  'unknown-email': 'no account has this email',
  'wrong-password': 'wrong password',
  'account-disabled': 'the account is disabled',
  'locked-out': 'too many failed logins; locked for a while',
  'password-sign-in-off': "password sign-in is turned off for the account's agency",
};

const EXTERNAL_FAILURES: Record<ExternalSignInFailure, string> = {
  'no-provider': 'the agency has no identity provider',
  'provider-unavailable': 'the identity provider could not be reached or described itself wrongly',
  'unknown-state': 'unknown or already used sign-in state',
  'expired-state': 'the sign-in took too long',
  'other-browser': 'the callback came to a browser other than the one that started the sign-in',
  'provider-error': 'the identity provider answered with an error',
  'verification-failed': 'the code exchange or the ID token failed verification',
  'no-email': 'the provider named no email for an unlinked subject',
  'email-not-verified': 'the provider did not say the email is verified',
  'email-domain-not-allowed': "the email's domain is not allowed for the agency",
  'unknown-account': 'no account of the agency has this email',
  'account-disabled': 'the account is disabled',
  'other-agency': 'the account belongs to another agency',
  'linked-to-another-subject': 'the account is linked to another subject of this provider',
  'handoff-refused': 'handoff code unknown, spent or expired, or the account is not active',
};

const MFA_FAILURES: Record<'wrong-code' | 'code-reused' | 'rate-limited', string> = {
  'wrong-code': 'wrong second-factor code',
  'code-reused': 'second-factor code already used',
  'rate-limited': 'too many second-factor codes tried',
};

/** Identity's acts as audit entries, written in identity's transaction. */
@Injectable()
export class IdentityAuditRecorder implements IdentityEventRecorder {
  constructor(private readonly auditLog: AuditLog) {}

  async record(manager: EntityManager, event: IdentityEvent): Promise<void> {
    await this.auditLog.record(manager, entryOf(event));
  }
}

export function entryOf(event: IdentityEvent): AuditEntryInput {
  switch (event.kind) {
    case 'login':
      return {
        action: AuditAction.LOGIN,
        actor: { userId: event.userId, agencyId: event.agencyId, roles: event.roles },
        subjectType: 'Session',
        subjectId: event.sessionId,
        detail: { method: event.method, mfa: event.mfa },
      };
    case 'login-challenged':
      return {
        action: AuditAction.LOGIN,
        actor: { userId: event.userId, agencyId: event.agencyId, roles: [] },
        subjectType: 'User',
        subjectId: event.userId,
        reason: `${event.method === 'password' ? 'password' : 'identity provider sign-in'} accepted; another step is required`,
        detail: { method: event.method, step: event.step },
      };
    case 'external-sign-in-verified':
      return {
        action: AuditAction.LOGIN,
        actor: { userId: event.userId, agencyId: event.agencyId, roles: [] },
        subjectType: 'User',
        subjectId: event.userId,
        reason: 'identity provider sign-in verified; handoff code issued',
        detail: { method: 'oidc', issuer: event.issuer, linkedBy: event.linkedBy },
      };
    case 'external-sign-in-refused':
      return {
        action: AuditAction.LOGIN_FAILED,
        outcome: AuditOutcome.DENIED,
        actor: null,
        subjectType: event.userId ? 'User' : null,
        subjectId: event.userId,
        reason: EXTERNAL_FAILURES[event.reason],
        detail: {
          method: 'oidc',
          agencyId: event.agencyId,
          issuer: event.issuer,
          ...(event.identifierHash ? { identifierHash: event.identifierHash } : {}),
          ...(event.check ? { check: event.check } : {}),
        },
      };
    case 'external-identity-linked':
      return {
        action: AuditAction.CREATE,
        actor: { userId: event.userId, agencyId: event.agencyId, roles: [] },
        subjectType: 'ExternalIdentity',
        subjectId: event.linkId,
        reason:
          event.emailVerifiedBy === 'claim'
            ? 'account linked to its identity provider subject by verified email'
            : 'account linked to its identity provider subject by email (no email_verified claim; trusted by the agency setting)',
        detail: {
          userId: event.userId,
          issuer: event.issuer,
          subject: event.subject,
          emailVerifiedBy: event.emailVerifiedBy,
        },
      };
    case 'identity-provider-configured':
      return {
        action: AuditAction.UPDATE,
        actor: event.principal,
        subjectType: 'AgencyIdentityProvider',
        subjectId: event.agencyId,
        detail: {
          issuer: event.issuer,
          clientId: event.clientId,
          allowedEmailDomains: [...event.allowedEmailDomains],
          passwordSignIn: event.passwordSignIn,
          trustEmailWithoutVerifiedClaim: event.trustEmailWithoutVerifiedClaim,
        },
      };
    case 'identity-provider-removed':
      return {
        action: AuditAction.REVOKE,
        actor: event.principal,
        subjectType: 'AgencyIdentityProvider',
        subjectId: event.agencyId,
        reason: 'identity provider removed',
      };
    case 'login-failed':
      return {
        action: AuditAction.LOGIN_FAILED,
        outcome: AuditOutcome.DENIED,
        actor: null,
        subjectType: event.userId ? 'User' : null,
        subjectId: event.userId,
        reason: FAILURE_REASONS[event.reason],
        detail: { identifierHash: event.identifierHash },
      };
    case 'logout':
      return {
        action: AuditAction.LOGOUT,
        actor: event.principal,
        subjectType: 'Session',
        subjectId: event.principal.sessionId,
      };
    case 'session-revoked':
      return {
        action: AuditAction.REVOKE,
        actor: null,
        subjectType: 'Session',
        subjectId: event.sessionId,
        reason: event.reason,
        detail: { userId: event.userId },
      };
    case 'user-created':
      return {
        action: AuditAction.CREATE,
        actor: event.principal,
        subjectType: 'User',
        subjectId: event.userId,
        detail: { agencyId: event.agencyId, roles: [...event.roles] },
      };
    case 'roles-changed':
      return {
        action: AuditAction.ROLE_CHANGE,
        actor: event.principal,
        subjectType: 'User',
        subjectId: event.userId,
        detail: { agencyId: event.agencyId, before: [...event.before], after: [...event.after] },
      };
    case 'user-disabled':
      return {
        action: AuditAction.DISABLE,
        actor: event.principal,
        subjectType: 'User',
        subjectId: event.userId,
        detail: { agencyId: event.agencyId },
      };
    case 'self-change-refused':
      return {
        action: AuditAction.DENIED,
        outcome: AuditOutcome.DENIED,
        actor: event.principal,
        subjectType: 'User',
        subjectId: event.principal.userId,
        reason: 'nobody changes their own roles or status',
        detail: { operation: event.operation, ...(event.roles ? { requestedRoles: [...event.roles] } : {}) },
      };
    case 'user-enabled':
      return {
        action: AuditAction.UPDATE,
        actor: event.principal,
        subjectType: 'User',
        subjectId: event.userId,
        reason: 'account enabled',
        detail: { agencyId: event.agencyId, status: 'ACTIVE' },
      };
    case 'password-changed':
      return {
        action: AuditAction.UPDATE,
        actor: { userId: event.userId, agencyId: event.agencyId, roles: event.roles },
        subjectType: 'Credential',
        subjectId: event.userId,
        reason: 'password changed',
        detail: { via: event.via, sessionsEnded: event.sessionsEnded },
      };
    case 'password-change-refused':
      return {
        action: AuditAction.DENIED,
        outcome: AuditOutcome.DENIED,
        actor: event.principal,
        subjectType: 'Credential',
        subjectId: event.principal.userId,
        reason: 'wrong current password',
      };
    case 'password-reset-issued':
      return {
        action: AuditAction.CREATE,
        actor: event.principal,
        subjectType: 'PasswordReset',
        subjectId: event.resetId,
        detail: { userId: event.userId, agencyId: event.agencyId, expiresAt: event.expiresAt.toISOString() },
      };
    case 'password-reset-refused':
      return {
        action: AuditAction.DENIED,
        outcome: AuditOutcome.DENIED,
        actor: null,
        subjectType: 'PasswordReset',
        subjectId: event.resetId,
        reason: 'reset token unknown, spent or expired, or the account is not active',
        detail: { userId: event.userId },
      };
    case 'contact-card-updated':
      return {
        action: AuditAction.UPDATE,
        actor: event.principal,
        subjectType: 'User',
        subjectId: event.principal.userId,
        reason: 'contact card updated',
        detail: { fields: [...event.fields] },
      };
    case 'mfa-enrolment-started':
      return {
        action: AuditAction.CREATE,
        actor: event.principal,
        subjectType: 'MfaFactor',
        subjectId: event.principal.userId,
        reason: 'second factor set-up started',
      };
    case 'mfa-enrolled':
      return {
        action: AuditAction.UPDATE,
        actor: event.principal,
        subjectType: 'MfaFactor',
        subjectId: event.principal.userId,
        reason: 'second factor confirmed',
        detail: { recoveryCodes: event.recoveryCodes },
      };
    case 'mfa-recovery-codes-regenerated':
      return {
        action: AuditAction.UPDATE,
        actor: event.principal,
        subjectType: 'MfaFactor',
        subjectId: event.principal.userId,
        reason: 'recovery codes replaced; the old ones no longer work',
        detail: { recoveryCodes: event.recoveryCodes },
      };
    case 'mfa-failed':
      return {
        action: AuditAction.LOGIN_FAILED,
        outcome: AuditOutcome.DENIED,
        actor: null,
        subjectType: 'User',
        subjectId: event.userId,
        reason: MFA_FAILURES[event.reason],
        detail: { step: 'MFA_CODE', agencyId: event.agencyId },
      };
    case 'mfa-recovery-code-used':
      return {
        action: AuditAction.UPDATE,
        actor: null,
        subjectType: 'MfaRecoveryCode',
        subjectId: event.userId,
        reason: 'recovery code used to sign in',
        detail: { agencyId: event.agencyId },
      };
    case 'directory-searched':
      return {
        action: AuditAction.READ,
        actor: event.principal,
        subjectType: 'DirectorySearch',
        detail: {
          agencyId: event.agencyId,
          role: event.role,
          ids: [...event.resultIds],
          count: event.resultIds.length,
        },
      };
    case 'mfa-removed':
      return {
        action: AuditAction.REVOKE,
        actor: event.principal,
        subjectType: 'MfaFactor',
        subjectId: event.userId,
        reason: 'second factor removed by an administrator',
        detail: { agencyId: event.agencyId },
      };
    case 'agency-created':
      return {
        action: AuditAction.CREATE,
        actor: event.principal,
        subjectType: 'Agency',
        subjectId: event.agencyId,
        detail: { name: event.name, kind: event.agencyKind },
      };
  }
}
