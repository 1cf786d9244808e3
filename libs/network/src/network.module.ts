import { Module, type DynamicModule } from '@nestjs/common';
import { FACTS_SOURCE } from '@hearth/authz';
import { IdentityModule } from '@hearth/identity';
import { AccessService } from './access.service.js';
import { ContactCardService } from './contact-card.service.js';
import { DiscoveryService } from './discovery.service.js';
import { FamilyRepository } from './family.repository.js';
import { FamilyResolver } from './family.resolver.js';
import { FamilyService } from './family.service.js';
import { GrantRepository } from './grant.repository.js';
import { JoinRequestRepository } from './join-request.repository.js';
import { MembershipRequestService } from './membership-request.service.js';
import { MembershipRepository } from './membership.repository.js';
import { PersonRepository } from './person.repository.js';
import { RelationshipRepository } from './relationship.repository.js';

const SERVICES = [
  RelationshipRepository,
  FamilyRepository,
  MembershipRepository,
  PersonRepository,
  GrantRepository,
  JoinRequestRepository,
  AccessService,
  ContactCardService,
  FamilyService,
  MembershipRequestService,
  DiscoveryService,
];

/** Families, networks, access and discovery, without transport: the worker loads this. */
@Module({
  imports: [IdentityModule],
  // The access facts an operation's session check reads with it (see the mutation gate).
  providers: [...SERVICES, { provide: FACTS_SOURCE, useExisting: AccessService }],
  exports: [...SERVICES, FACTS_SOURCE],
})
export class NetworkModule {
  /** The same, with its GraphQL resolvers. */
  static forApi(): DynamicModule {
    return {
      module: NetworkApiModule,
      imports: [NetworkModule],
      providers: [FamilyResolver],
      exports: [NetworkModule],
    };
  }
}

@Module({})
class NetworkApiModule {}
