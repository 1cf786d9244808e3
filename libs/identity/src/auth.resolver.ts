import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, Public, type Principal } from '@hearth/authz';
import { AuthPayloadModel, UserModel } from './identity.models.js';
import { SessionService } from './session.service.js';
import { UserService } from './user.service.js';

@Resolver()
export class AuthResolver {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UserService,
  ) {}

  @Public()
  @Mutation(() => AuthPayloadModel)
  login(@Args('email') email: string, @Args('password') password: string): Promise<AuthPayloadModel> {
    return this.sessions.login({ email, password });
  }

  @Public()
  @Mutation(() => AuthPayloadModel, { description: "Answers login's challenge: a code, or a new password" })
  completeLogin(
    @Args('challengeToken') challengeToken: string,
    @Args('code', { type: () => String, nullable: true }) code?: string | null,
    @Args('newPassword', { type: () => String, nullable: true }) newPassword?: string | null,
  ): Promise<AuthPayloadModel> {
    return this.sessions.completeLogin({ challengeToken, code, newPassword });
  }

  @Public()
  @Mutation(() => AuthPayloadModel)
  refreshSession(@Args('refreshToken') refreshToken: string): Promise<AuthPayloadModel> {
    return this.sessions.refresh({ refreshToken });
  }

  @Authenticated()
  @Mutation(() => Boolean)
  logout(@CurrentPrincipal() principal: Principal): Promise<boolean> {
    return this.sessions.logout(principal);
  }

  @Authenticated()
  @Query(() => UserModel)
  me(@CurrentPrincipal() principal: Principal): Promise<UserModel> {
    return this.users.me(principal);
  }
}
