import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireRoles, Role, type Principal } from '@hearth/authz';
import { PageArgs, type Connection } from '@hearth/pagination';
import { CreateUserInput } from './identity.inputs.js';
import { PasswordResetModel, UserConnection, UserModel } from './identity.models.js';
import { UserService } from './user.service.js';

@Resolver(() => UserModel)
export class UserResolver {
  constructor(private readonly userService: UserService) {}

  @RequireRoles(Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN, Role.AUDITOR)
  @Query(() => UserConnection)
  users(
    @CurrentPrincipal() principal: Principal,
    @Args() page: PageArgs,
    @Args('agencyId', { type: () => ID, nullable: true }) agencyId?: string | null,
  ): Promise<Connection<UserModel>> {
    return this.userService.list(principal, { ...page, agencyId });
  }

  @RequireRoles(Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN)
  @Mutation(() => UserModel)
  createUser(@CurrentPrincipal() principal: Principal, @Args('input') input: CreateUserInput): Promise<UserModel> {
    return this.userService.create(principal, input);
  }

  @RequireRoles(Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN)
  @Mutation(() => UserModel)
  setUserRoles(
    @CurrentPrincipal() principal: Principal,
    @Args('userId', { type: () => ID }) userId: string,
    @Args('roles', { type: () => [Role] }) roles: Role[],
  ): Promise<UserModel> {
    return this.userService.setRoles(principal, { userId, roles });
  }

  @RequireRoles(Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN)
  @Mutation(() => UserModel)
  disableUser(
    @CurrentPrincipal() principal: Principal,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<UserModel> {
    return this.userService.disable(principal, { userId });
  }

  @RequireRoles(Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN)
  @Mutation(() => UserModel)
  enableUser(
    @CurrentPrincipal() principal: Principal,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<UserModel> {
    return this.userService.enable(principal, { userId });
  }

  @RequireRoles(Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN)
  @Mutation(() => PasswordResetModel, {
    description: 'A single-use token, valid 30 minutes, shown once: hand it to the account owner',
  })
  resetUserPassword(
    @CurrentPrincipal() principal: Principal,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<PasswordResetModel> {
    return this.userService.resetPassword(principal, { userId });
  }

  @RequireRoles(Role.AGENCY_ADMIN, Role.PARTNERSHIP_ADMIN)
  @Mutation(() => UserModel, {
    description: "Removes someone's second factor (a lost phone) and ends their sessions; they set up a new one",
  })
  removeUserMfa(
    @CurrentPrincipal() principal: Principal,
    @Args('userId', { type: () => ID }) userId: string,
  ): Promise<UserModel> {
    return this.userService.removeMfa(principal, { userId });
  }
}
