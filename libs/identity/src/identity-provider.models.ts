import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('SignInProvider', { description: 'An agency whose users can sign in through its identity provider' })
export class SignInProviderModel {
  @Field(() => ID)
  agencyId: string;

  @Field()
  agencyName: string;

  @Field({ description: 'Where the browser goes to start the sign-in (GET, on the API origin)' })
  startPath: string;
}

@ObjectType('AgencyIdentityProvider', { description: "An agency's OpenID Connect provider, as configured" })
export class AgencyIdentityProviderModel {
  @Field(() => ID)
  agencyId: string;

  @Field()
  agencyName: string;

  @Field()
  issuer: string;

  @Field()
  clientId: string;

  @Field(() => String, {
    nullable: true,
    description: 'The environment variable holding the client secret (the secret itself is never stored)',
  })
  clientSecretEnv: string | null;

  @Field()
  emailClaim: string;

  @Field(() => [String])
  allowedEmailDomains: string[];

  @Field()
  passwordSignInAllowed: boolean;

  @Field({ description: 'Whether an email sent without an email_verified claim may link an account' })
  trustEmailWithoutVerifiedClaim: boolean;

  @Field({ description: 'The redirect URI to register at the provider' })
  redirectUri: string;

  @Field()
  startPath: string;

  @Field()
  updatedAt: Date;
}
