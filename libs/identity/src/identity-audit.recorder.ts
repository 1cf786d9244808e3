import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditAction, AuditLog, AuditOutcome, type AuditEntryInput } from '@hearth/audit';
import type { IdentityEvent, IdentityEventRecorder, LoginFailure } from './identity-events.js';

const FAILURE_REASONS: Record<LoginFailure, string> = {
  'unknown-email': 'no account has this email',
  'wrong-password': 'wrong password',
  'account-disabled': 'the account is disabled',
  'locked-out': 'too many failed logins; locked for a while',
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
      };
    case 'login-failed':
      return {
        action: AuditAction.LOGIN_FAILED,
        outcome: AuditOutcome.DENIED,
        actor: null,
        subjectType: event.userId ? 'User' : null,
        subjectId: event.userId,
        reason: FAILURE_REASONS[event.reason],
        detail: { email: event.email },
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
