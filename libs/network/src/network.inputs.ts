import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { line, text, uuid } from '@hearth/errors';
import { LocalDateScalar } from '@hearth/pagination';
import { FamilyRole, ProtectionStatus } from './network.enums.js';

// The shared validators, for this lib's schemas and those that import them from here.
export { line, text, uuid };

const identifier = (max: number) => line(max).nullish();

@InputType()
export class CreateFamilyInput {
  @Field(() => String, { description: 'A pseudonymous case reference' })
  reference: string;

  @Field(() => ProtectionStatus, { nullable: true })
  protectionStatus?: ProtectionStatus | null;
}
export const createFamilySchema = z.strictObject({
  reference: line(64),
  protectionStatus: z.enum(ProtectionStatus).nullish(),
});

@InputType()
export class AddPersonInput {
  @Field(() => ID)
  familyId: string;

  @Field(() => FamilyRole)
  role: FamilyRole;

  @Field(() => String)
  givenName: string;

  @Field(() => String)
  familyName: string;

  @Field(() => LocalDateScalar, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => String, { nullable: true })
  nhsNumber?: string | null;

  @Field(() => String, { nullable: true })
  schoolUpn?: string | null;

  @Field(() => String, { nullable: true })
  policeReference?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Only the recording agency sees the address (a parent in a refuge)',
  })
  addressWithheld?: boolean | null;
}
export const addPersonSchema = z.strictObject({
  familyId: uuid,
  role: z.enum(FamilyRole),
  givenName: line(100),
  familyName: line(100),
  dateOfBirth: z.string().nullish(),
  nhsNumber: z
    .string()
    .trim()
    .regex(/^\d{3} ?\d{3} ?\d{4}$/, { error: 'must be a 10-digit NHS number' })
    .nullish(),
  schoolUpn: identifier(20),
  policeReference: identifier(40),
  address: text(500).nullish(),
  addressWithheld: z.boolean().nullish(),
});

export const reasonSchema = text(2000);
