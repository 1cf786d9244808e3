import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Public, RequireRoles, Role, type Principal } from '@hearth/authz';
import { ExternalSignInService } from './external-sign-in.service.js';
import { AuthPayloadModel } from './identity.models.js';
import { ConfigureIdentityProviderInput } from './identity-provider.inputs.js';
import { AgencyIdentityProviderModel, SignInProviderModel } from './identity-provider.models.js';

@Resolver()
export class ExternalSignInResolver {
  constructor(private readonly external: ExternalSignInService) {}

  @Public()
  @Query(() => [SignInProviderModel], {
    description: 'The agencies whose users can sign in through their own identity provider (for the sign-in screen)',
  })
  signInProviders(): Promise<SignInProviderModel[]> {
    return this.external.signInProviders();
  }

  @Public()
  @Mutation(() => AuthPayloadModel, {
    description:
      'Exchanges the one-time code of `/?signin=` (after an identity provider sign-in): the same answer as login',
  })
  completeExternalSignIn(@Args('handoff') handoff: string): Promise<AuthPayloadModel> {
    return this.external.complete({ handoff });
  }

  @RequireRoles(Role.PARTNERSHIP_ADMIN)
  @Query(() => [AgencyIdentityProviderModel])
  agencyIdentityProviders(): Promise<AgencyIdentityProviderModel[]> {
    return this.external.list();
  }

  @RequireRoles(Role.PARTNERSHIP_ADMIN)
  @Mutation(() => AgencyIdentityProviderModel, {
    description: "Sets (or replaces) an agency's OpenID Connect provider",
  })
  configureAgencyIdentityProvider(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: ConfigureIdentityProviderInput,
  ): Promise<AgencyIdentityProviderModel> {
    return this.external.configure(principal, input);
  }

  @RequireRoles(Role.PARTNERSHIP_ADMIN)
  @Mutation(() => Boolean, { description: "Removes an agency's identity provider; its users sign in with passwords" })
  removeAgencyIdentityProvider(
    @CurrentPrincipal() principal: Principal,
    @Args('agencyId', { type: () => ID }) agencyId: string,
  ): Promise<boolean> {
    return this.external.remove(principal, agencyId);
  }
}
