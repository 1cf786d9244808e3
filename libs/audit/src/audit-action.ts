import { registerEnumType } from '@nestjs/graphql';

/**
 * What an audit entry records. The database type `audit_action` holds the same labels; a new
 * action is one value here plus a migration with `ALTER TYPE audit_action ADD VALUE '…'`.
 */
export enum AuditAction {
  READ = 'READ',
  CREATE = 'CREATE',
  UPDATE = 'UPDATE',
  LOGIN = 'LOGIN',
  LOGIN_FAILED = 'LOGIN_FAILED',
  LOGOUT = 'LOGOUT',
  ROLE_CHANGE = 'ROLE_CHANGE',
  DISABLE = 'DISABLE',
  GRANT = 'GRANT',
  REVOKE = 'REVOKE',
  BREAK_GLASS = 'BREAK_GLASS',
  EXPORT = 'EXPORT',
  DENIED = 'DENIED',
}
registerEnumType(AuditAction, { name: 'AuditAction', description: 'What an audit entry records' });

export enum AuditOutcome {
  ALLOWED = 'ALLOWED',
  DENIED = 'DENIED',
}
registerEnumType(AuditOutcome, { name: 'AuditOutcome', description: 'Whether the act was allowed' });

export const AUDIT_ACTIONS: readonly AuditAction[] = Object.values(AuditAction);
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = Object.values(AuditOutcome);
