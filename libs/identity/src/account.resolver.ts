import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, Public, type Principal } from '@hearth/authz';
import { AccountService } from './account.service.js';
import { UpdateContactCardInput } from './identity.inputs.js';
import { MfaEnrolmentModel, UserModel } from './identity.models.js';
import { SecondFactorService } from './second-factor.service.js';

/** What users do to their own account. */
@Resolver()
export class AccountResolver {
  constructor(
    private readonly accounts: AccountService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  @Authenticated()
  @Mutation(() => Boolean, { description: 'Needs the current password; ends every other session' })
  changeMyPassword(
    @CurrentPrincipal() principal: Principal,
    @Args('currentPassword') currentPassword: string,
    @Args('newPassword') newPassword: string,
  ): Promise<boolean> {
    return this.accounts.changePassword(principal, { currentPassword, newPassword });
  }

  @Public()
  @Mutation(() => Boolean, { description: 'Sets a new password with a token from resetUserPassword; then sign in' })
  completePasswordReset(@Args('token') token: string, @Args('newPassword') newPassword: string): Promise<boolean> {
    return this.accounts.completeReset({ token, newPassword });
  }

  @Authenticated()
  @Mutation(() => UserModel)
  updateMyContactCard(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: UpdateContactCardInput,
  ): Promise<UserModel> {
    return this.accounts.updateContactCard(principal, input);
  }

  @Authenticated()
  @Mutation(() => MfaEnrolmentModel, { description: 'Starts setting up an authenticator app' })
  beginMfaEnrolment(@CurrentPrincipal() principal: Principal): Promise<MfaEnrolmentModel> {
    return this.secondFactor.begin(principal);
  }

  @Authenticated()
  @Mutation(() => [String], {
    description: 'Confirms the authenticator with a code from it; returns recovery codes, shown once',
  })
  confirmMfaEnrolment(@CurrentPrincipal() principal: Principal, @Args('code') code: string): Promise<string[]> {
    return this.secondFactor.confirm(principal, { code });
  }

  @Authenticated()
  @Mutation(() => [String], {
    description:
      'Ten new recovery codes, shown once, for a current code of your authenticator app; the old ones stop working',
  })
  regenerateRecoveryCodes(@CurrentPrincipal() principal: Principal, @Args('code') code: string): Promise<string[]> {
    return this.secondFactor.regenerateRecoveryCodes(principal, { code });
  }
}
