import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { IdentityModule } from '@hearth/identity';
import { DomainEvents } from '@hearth/database';
import { NetworkModule } from '@hearth/network';
import { TimelineModule } from '@hearth/timeline';
import { AlertEngine } from './alert-engine.service.js';
import { AlertResolver } from './alert.resolver.js';
import { AlertScheduler } from './alert-scheduler.service.js';
import { AlertRepository } from './alert.repository.js';
import { AlertService } from './alert.service.js';
import { Notifier } from './notifier.service.js';
import { RuleCache } from './rule-cache.service.js';
import { RuleRepository } from './rule.repository.js';

/**
 * The alerts' own tables without anything else: what the notification audience needs (it is
 * given to the realtime lib, which the rest of the alerts lib relies on).
 */
@Module({ providers: [AlertRepository], exports: [AlertRepository] })
export class AlertRecipientsModule {}

/**
 * Early warning: rules evaluated inside the posting transaction, alerts, escalation, and who is
 * told of what. Without transport (the worker loads this); needs the global RealtimeModule.
 */
@Module({
  imports: [IdentityModule, NetworkModule, TimelineModule, AlertRecipientsModule],
  providers: [RuleRepository, RuleCache, AlertEngine, Notifier, AlertService, AlertScheduler],
  exports: [AlertScheduler, AlertEngine, AlertService, AlertRecipientsModule],
})
export class AlertsModule implements OnModuleInit {
  /** The same, with its GraphQL resolvers. */
  static forApi(): DynamicModule {
    return {
      module: AlertsApiModule,
      imports: [AlertsModule, NetworkModule, TimelineModule],
      providers: [AlertResolver],
      exports: [AlertsModule],
    };
  }

  constructor(
    private readonly engine: AlertEngine,
    private readonly notifier: Notifier,
    private readonly events: DomainEvents,
  ) {}

  onModuleInit(): void {
    // Inside the publishing transaction: who is told, then the rules (which may raise alerts).
    this.events.on('timeline.event-posted', (m, event) => this.notifier.eventPosted(m, event));
    this.events.on('timeline.event-posted', (m, event) => this.engine.eventPosted(m, event));
    this.events.on('timeline.reply-posted', (m, reply) => this.notifier.replyPosted(m, reply));
    this.events.on('network.membership-changed', (m, change) => this.notifier.membershipChanged(m, change));
    this.events.on('network.membership-changed', (m, change) => this.engine.membershipChanged(m, change));
    this.events.on('network.access-granted', (m, grant) => this.notifier.accessGranted(m, grant));
    this.events.on('network.access-revoked', (m, grant) => this.notifier.accessRevoked(m, grant));
  }
}

@Module({})
class AlertsApiModule {}
