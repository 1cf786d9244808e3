import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { LocalDateScalar } from '@hearth/pagination';
import { FamilyRole, ProtectionStatus } from './network.enums.js';

export const uuid = z.uuid({ error: 'must be an ID' });

/** One line: trimmed, bounded, no control characters. */
export const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => !/\p{Cc}/u.test(v), { error: 'must not contain control characters' });

/** Free text: newlines and tabs allowed, other control characters not. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    // Control characters other than tab, newline and carriage return.
    .refine((v) => ![...v].some((c) => /\p{Cc}/u.test(c) && !'\t\n\r'.includes(c)), {
      error: 'must not contain control characters other than newlines and tabs',
    });

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
