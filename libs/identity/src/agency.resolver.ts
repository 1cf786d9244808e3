import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Authenticated, CurrentPrincipal, RequireRoles, Role, type Principal } from '@hearth/authz';
import { AgencyService } from './agency.service.js';
import { CreateAgencyInput } from './identity.inputs.js';
import { AgencyModel } from './identity.models.js';

@Resolver(() => AgencyModel)
export class AgencyResolver {
  constructor(private readonly agencyService: AgencyService) {}

  @Authenticated()
  @Query(() => [AgencyModel])
  agencies(): Promise<AgencyModel[]> {
    return this.agencyService.list();
  }

  @RequireRoles(Role.PARTNERSHIP_ADMIN)
  @Mutation(() => AgencyModel)
  createAgency(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateAgencyInput,
  ): Promise<AgencyModel> {
    return this.agencyService.create(principal, input);
  }
}
