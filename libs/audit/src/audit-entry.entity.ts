import { Column, Entity, PrimaryColumn } from 'typeorm';
import { AuditAction, AuditOutcome } from './audit-action.js';

/**
 * The `audit_entries` table. Its migration (CreateAuditTrail) is written by hand and TypeORM never
 * synchronises it (`synchronize: false`): the `txid xid8` column, the triggers and the partial
 * indexes are beyond what an entity can describe. Rows are written and read with SQL in
 * audit.repository.ts; this class documents the shape.
 */
@Entity({ name: 'audit_entries', synchronize: false })
export class AuditEntryEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** Set by the database when the row is inserted (trigger `audit_entries_stamp`). */
  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_agency_id', type: 'uuid', nullable: true })
  actorAgencyId: string | null;

  @Column({ name: 'actor_roles', type: 'text', array: true })
  actorRoles: string[];

  @Column({ type: 'enum', enum: AuditAction, enumName: 'audit_action' })
  action: AuditAction;

  @Column({ type: 'enum', enum: AuditOutcome, enumName: 'audit_outcome' })
  outcome: AuditOutcome;

  @Column({ name: 'subject_type', type: 'text', nullable: true })
  subjectType: string | null;

  @Column({ name: 'subject_id', type: 'text', nullable: true })
  subjectId: string | null;

  @Column({ name: 'family_id', type: 'uuid', nullable: true })
  familyId: string | null;

  @Column({ name: 'person_id', type: 'uuid', nullable: true })
  personId: string | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail: unknown;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_address', type: 'text', nullable: true })
  clientAddress: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;

  // txid (xid8, the inserting transaction) is not mapped: TypeORM has no xid8 type.
}
