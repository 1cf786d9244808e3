import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ConnectionType } from '@hearth/pagination';
import { AuditAction, AuditOutcome } from './audit-action.js';
import type { AuditEntryRow } from './audit.repository.js';

/** An audit entry as an auditor sees it: identifiers and metadata, never case content. */
@ObjectType('AuditEntry')
export class AuditEntryModel {
  @Field(() => ID)
  id: string;

  @Field({ description: 'When the act was recorded, set by the database' })
  at: Date;

  @Field(() => ID, { nullable: true, description: 'The user who acted; null for an anonymous act' })
  actorId: string | null;

  @Field(() => ID, { nullable: true, description: "The actor's agency at the time" })
  agencyId: string | null;

  @Field(() => [String], { description: "The actor's roles at the time" })
  actorRoles: string[];

  @Field(() => AuditAction)
  action: AuditAction;

  @Field(() => String, { nullable: true })
  subjectType: string | null;

  @Field(() => ID, { nullable: true })
  subjectId: string | null;

  @Field(() => ID, { nullable: true })
  familyId: string | null;

  @Field(() => ID, { nullable: true })
  personId: string | null;

  @Field(() => AuditOutcome)
  outcome: AuditOutcome;

  @Field(() => String, { nullable: true, description: 'The reason or purpose given, or why it was refused' })
  reason: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Identifiers about the act as JSON text, e.g. {"ids":[…],"count":3} for a read',
  })
  detail: string | null;

  @Field(() => String, { nullable: true })
  requestId: string | null;

  @Field(() => String, { nullable: true })
  clientAddress: string | null;

  @Field(() => String, { nullable: true })
  userAgent: string | null;
}

export const AuditEntryConnection = ConnectionType(AuditEntryModel, 'AuditEntry');

export function toAuditEntryModel(row: AuditEntryRow): AuditEntryModel {
  return {
    id: row.id,
    at: row.at,
    actorId: row.actor_id,
    agencyId: row.actor_agency_id,
    actorRoles: row.actor_roles,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    familyId: row.family_id,
    personId: row.person_id,
    outcome: row.outcome,
    reason: row.reason,
    detail: row.detail,
    requestId: row.request_id,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
  };
}
