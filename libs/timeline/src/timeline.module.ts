import { Module } from '@nestjs/common';
import { IdentityModule } from '@hearth/identity';
import { NetworkModule } from '@hearth/network';
import { AgencySharingResolver, ReplyResolver, TimelineResolver } from './timeline.resolver.js';
import { TimelineHookRegistry } from './timeline-hooks.js';
import { TimelineService } from './timeline.service.js';

@Module({
  imports: [IdentityModule, NetworkModule],
  providers: [TimelineHookRegistry, TimelineService, TimelineResolver, ReplyResolver, AgencySharingResolver],
  exports: [TimelineService, TimelineHookRegistry],
})
export class TimelineModule {}
