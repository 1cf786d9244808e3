import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { Role } from '@hearth/authz';
import { line, uuid } from '@hearth/errors';
import { AgencyKind } from './identity.enums.js';

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, { error: 'must be at most 254 characters' })
  .pipe(z.email({ error: 'must be an email address' }));
const phone = z
  .string()
  .trim()
  .max(40, { error: 'must be at most 40 characters' })
  .regex(/^[+\d][\d ()-]*$/, { error: 'must be a phone number' });
const roles = z
  .array(z.enum(Role))
  .min(1, { error: 'must hold at least one role' })
  .max(5)
  .transform((list) => [...new Set(list)]);
export const password = z
  .string()
  .min(12, { error: 'must be at least 12 characters' })
  .max(256, { error: 'must be at most 256 characters' });

@InputType()
export class CreateUserInput {
  @Field()
  email: string;

  @Field()
  displayName: string;

  @Field(() => String, { nullable: true })
  jobTitle?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => [Role])
  roles: Role[];

  @Field(() => ID, { nullable: true, description: "Partnership admins only; default: the caller's agency" })
  agencyId?: string | null;

  @Field(() => ID, { nullable: true, description: 'A MANAGER of the same agency' })
  managerId?: string | null;

  @Field({ description: 'Initial password, at least 12 characters' })
  password: string;
}

export const createUserSchema = z.strictObject({
  email,
  displayName: line(200),
  jobTitle: line(200).nullish(),
  phone: phone.nullish(),
  roles,
  agencyId: uuid.nullish(),
  managerId: uuid.nullish(),
  password,
});

export const rolesSchema = z.strictObject({ userId: uuid, roles });

@InputType()
export class CreateAgencyInput {
  @Field()
  name: string;

  @Field(() => AgencyKind)
  kind: AgencyKind;
}

export const createAgencySchema = z.strictObject({ name: line(200), kind: z.enum(AgencyKind) });
