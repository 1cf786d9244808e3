import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditIntegrity', { description: 'The hash chain over the audit trail, recomputed' })
export class AuditIntegrityModel {
  @Field({ description: 'True when every seal holds from the first entry to the head' })
  verified: boolean;

  @Field(() => Int, { description: 'Entries in the chain' })
  entries: number;

  @Field(() => Int, { description: 'Entries recorded but not sealed yet (sealing runs every few hundred ms)' })
  unsealed: number;

  @Field(() => Date, { nullable: true, description: 'The latest recorded time among sealed entries' })
  sealedThrough: Date | null;

  @Field(() => String, { nullable: true, description: 'The hash of the chain head, to compare with a kept checkpoint' })
  headHash: string | null;

  @Field(() => ID, { nullable: true, description: 'The first entry whose seal does not hold' })
  firstBrokenEntryId: string | null;

  @Field(() => String, { nullable: true, description: 'What is wrong, when not verified' })
  problem: string | null;
}
