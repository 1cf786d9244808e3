import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireRoles, Role, type Principal } from '@hearth/authz';
import { DirectoryService } from './directory.service.js';
import { DirectoryEntryModel } from './identity.models.js';

@Resolver(() => DirectoryEntryModel)
export class DirectoryResolver {
  constructor(private readonly directoryService: DirectoryService) {}

  @RequireRoles(Role.PRACTITIONER, Role.MANAGER)
  @Query(() => [DirectoryEntryModel], {
    description: 'Practitioners and managers to invite, by name or agency (at most 20); audited and rate-limited',
  })
  directory(
    @CurrentPrincipal() principal: Principal,
    @Args('search') search: string,
    @Args('agencyId', { type: () => ID, nullable: true }) agencyId?: string | null,
    @Args('role', { type: () => Role, nullable: true }) role?: Role | null,
  ): Promise<DirectoryEntryModel[]> {
    return this.directoryService.search(principal, { search, agencyId, role });
  }
}
