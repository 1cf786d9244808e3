import { Module, type DynamicModule } from '@nestjs/common';
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
@Module({ imports: [IdentityModule], providers: SERVICES, exports: SERVICES })
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
