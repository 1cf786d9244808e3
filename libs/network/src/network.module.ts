import { Module, type DynamicModule } from '@nestjs/common';
import { AccessService } from './access.service.js';
import { ContactCardService } from './contact-card.service.js';
import { DiscoveryService } from './discovery.service.js';
import { FamilyResolver } from './family.resolver.js';
import { FamilyService } from './family.service.js';
import { MembershipRequestService } from './membership-request.service.js';
import { RelationshipRepository } from './relationship.repository.js';

const SERVICES = [
  RelationshipRepository,
  AccessService,
  ContactCardService,
  FamilyService,
  MembershipRequestService,
  DiscoveryService,
];

/** Families, networks, access and discovery, without transport: the worker loads this. */
@Module({ providers: SERVICES, exports: SERVICES })
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
