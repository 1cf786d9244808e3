import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { line, uuid } from '@hearth/errors';

const CLIENT_SECRET_ENV_PREFIX = 'HEARTH_OIDC_SECRET_';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, { error: 'must be at most 253 characters' })
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: 'must be a domain name' });

/** The issuer as the provider names itself: https (http only outside production), no query or fragment. */
const issuer = (production: boolean) =>
  z
    .string()
    .trim()
    .max(500, { error: 'must be at most 500 characters' })
    .refine(
      (v) => {
        if (!URL.canParse(v)) return false;
        const url = new URL(v);
        if (url.search || url.hash || url.username || url.password) return false;
        return url.protocol === 'https:' || (!production && url.protocol === 'http:');
      },
      {
        error: production
          ? 'must be an https URL without query or fragment'
          : 'must be an http(s) URL without query or fragment',
      },
    );

export const configureIdentityProviderSchema = (production: boolean) =>
  z.strictObject({
    agencyId: uuid,
    issuer: issuer(production),
    clientId: line(255),
    clientSecretEnv: z
      .string()
      .trim()
      .regex(new RegExp(`^${CLIENT_SECRET_ENV_PREFIX}[A-Z0-9_]{1,64}$`), {
        error: `must be the name of an environment variable starting with ${CLIENT_SECRET_ENV_PREFIX}`,
      })
      .nullish(),
    emailClaim: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_:./-]{1,100}$/, { error: 'must be a claim name' })
      .nullish()
      .transform((v) => v ?? 'email'),
    allowedEmailDomains: z
      .array(domain)
      .min(1, { error: 'must hold at least one domain' })
      .max(20, { error: 'must hold at most 20 domains' })
      .transform((list) => [...new Set(list)]),
    passwordSignInAllowed: z
      .boolean()
      .nullish()
      .transform((v) => v ?? true),
    trustEmailWithoutVerifiedClaim: z
      .boolean()
      .nullish()
      .transform((v) => v ?? false),
  });

export const agencyIdSchema = z.strictObject({ agencyId: uuid });
export const handoffSchema = z.strictObject({
  handoff: z.string().min(1, { error: 'must not be empty' }).max(200, { error: 'is too long' }),
});

@InputType({ description: "An agency's OpenID Connect provider" })
export class ConfigureIdentityProviderInput {
  @Field(() => ID)
  agencyId: string;

  @Field({ description: 'The issuer URL, exactly as the provider names itself (its discovery document is under it)' })
  issuer: string;

  @Field({ description: 'The client id Hearth was registered with at the provider' })
  clientId: string;

  @Field(() => String, {
    nullable: true,
    description: `The name of the environment variable holding the client secret (${CLIENT_SECRET_ENV_PREFIX}…), never the secret; null for a public client`,
  })
  clientSecretEnv?: string | null;

  @Field(() => String, { nullable: true, description: 'The claim carrying the email (default "email")' })
  emailClaim?: string | null;

  @Field(() => [String], { description: 'Only emails of these domains are linked to accounts' })
  allowedEmailDomains: string[];

  @Field(() => Boolean, {
    nullable: true,
    description: "Whether the agency's users may still sign in with a Hearth password (default true)",
  })
  passwordSignInAllowed?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether an email sent without an email_verified claim (as Entra ID does) may link an account the first time, still only within allowedEmailDomains; a claim of false is never trusted (default false)',
  })
  trustEmailWithoutVerifiedClaim?: boolean | null;
}
