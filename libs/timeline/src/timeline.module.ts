import { Module, type DynamicModule } from '@nestjs/common';
import { IdentityModule } from '@hearth/identity';
import { NetworkModule } from '@hearth/network';
import { AgencySharingResolver, ReplyResolver, TimelineResolver } from './timeline.resolver.js';
import { ReplyRepository } from './reply.repository.js';
import { SharingPolicyRepository } from './sharing-policy.repository.js';
import { TimelineEventRepository } from './timeline-event.repository.js';
import { TimelineService } from './timeline.service.js';

/** Timeline events, amendments, replies and acknowledgements, without transport. */
@Module({
  imports: [IdentityModule, NetworkModule],
  providers: [TimelineService, TimelineEventRepository, ReplyRepository, SharingPolicyRepository],
  exports: [TimelineService, TimelineEventRepository],
})
export class TimelineModule {
  /** The same, with its GraphQL resolvers. */
  static forApi(): DynamicModule {
    return {
      module: TimelineApiModule,
      imports: [TimelineModule, IdentityModule, NetworkModule],
      providers: [TimelineResolver, ReplyResolver, AgencySharingResolver],
      exports: [TimelineModule],
    };
  }
}

@Module({})
class TimelineApiModule {}
