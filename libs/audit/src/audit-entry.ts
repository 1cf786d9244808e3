import type { AuditAction, AuditOutcome } from './audit-action.js';

/** Who acted, as they were at that moment (a Principal fits). Null for an anonymous act. */
export interface AuditActor {
  readonly userId: string;
  readonly agencyId: string;
  readonly roles: readonly string[];
}

export type AuditDetailValue =
  string | number | boolean | null | readonly AuditDetailValue[] | { readonly [key: string]: AuditDetailValue };

/**
 * Identifiers and metadata about the act: ids returned by a read, the keyed hash of the
 * identifier tried at a failed login, the roles before and after a change. Never a password, a token, or case content.
 */
export interface AuditDetail {
  readonly [key: string]: AuditDetailValue;
}

/** One audit entry as the rest of Hearth records it. */
export interface AuditEntryInput {
  readonly action: AuditAction;
  /** ALLOWED unless said otherwise. */
  readonly outcome?: AuditOutcome;
  readonly actor: AuditActor | null;
  /** What kind of thing was acted on: `Family`, `TimelineEvent`, `User`, `Operation`… */
  readonly subjectType?: string | null;
  readonly subjectId?: string | null;
  /** The family concerned, when there is one (auditors filter on it). */
  readonly familyId?: string | null;
  /** The person concerned (a child), when there is one: "who accessed this child". */
  readonly personId?: string | null;
  /** The reason or purpose given, or why it was refused. Stored as data, whatever it holds. */
  readonly reason?: string | null;
  readonly detail?: AuditDetail | null;
}

/**
 * A read of case data: one entry per transaction and subject, listing the ids returned (see
 * AuditLog.recordRead).
 */
export interface AuditReadInput {
  readonly actor: AuditActor;
  /** What was read, e.g. `Family`, `TimelineEvent`, `Person`. */
  readonly subjectType: string;
  /** The thing read as a whole (the family of a timeline page); null for a list across families. */
  readonly subjectId?: string | null;
  readonly familyId?: string | null;
  readonly personId?: string | null;
  /** Every id the read returned to the caller (an empty read is still recorded once). */
  readonly ids: readonly string[];
  readonly purpose?: string | null;
}

export interface RecordedAuditEntry {
  readonly id: string;
  readonly at: Date;
}
