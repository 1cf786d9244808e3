import { Field, ID, InputType } from '@nestjs/graphql';
import { AuditAction, AuditOutcome } from './audit-action.js';

@InputType('AuditFilter', { description: 'Every field narrows the list; all are optional' })
export class AuditFilterInput {
  @Field(() => ID, { nullable: true, description: 'The user who acted' })
  actorId?: string | null;

  @Field(() => ID, { nullable: true, description: "The actor's agency" })
  agencyId?: string | null;

  @Field(() => ID, { nullable: true })
  familyId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The person (a child): who accessed their record' })
  personId?: string | null;

  @Field(() => AuditAction, { nullable: true })
  action?: AuditAction | null;

  @Field(() => AuditOutcome, { nullable: true })
  outcome?: AuditOutcome | null;

  @Field(() => Date, { nullable: true, description: 'Entries at or after this time' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Entries before this time' })
  to?: Date | null;
}
