import { Module } from '@nestjs/common';
import { AccessService } from './access.service.js';
import { ContactCardService } from './contact-card.service.js';
import { DiscoveryService } from './discovery.service.js';
import { FamilyResolver } from './family.resolver.js';
import { FamilyService } from './family.service.js';
import { MembershipRequestService } from './membership-request.service.js';
import { NetworkHookRegistry } from './network-hooks.js';
import { RelationshipRepository } from './relationship.repository.js';

@Module({
  imports: [],
  providers: [
    NetworkHookRegistry,
    RelationshipRepository,
    AccessService,
    ContactCardService,
    FamilyService,
    MembershipRequestService,
    DiscoveryService,
    FamilyResolver,
  ],
  exports: [NetworkHookRegistry, RelationshipRepository, AccessService, ContactCardService, FamilyService],
})
export class NetworkModule {}
