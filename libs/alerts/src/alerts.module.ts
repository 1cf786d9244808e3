import { Module, type OnModuleInit } from '@nestjs/common';
import { IdentityModule } from '@hearth/identity';
import { NetworkHookRegistry, NetworkModule } from '@hearth/network';
import { TimelineHookRegistry, TimelineModule } from '@hearth/timeline';
import { AlertEngine } from './alert-engine.service.js';
import { AlertResolver } from './alert.resolver.js';
import { AlertScheduler } from './alert-scheduler.service.js';
import { AlertService } from './alert.service.js';
import { ALERT_CLOCK, systemClock } from './clock.js';
import { Notifier } from './notifier.service.js';

/** Early warning: rules evaluated inside the posting transaction, alerts, escalation. Needs the global RealtimeModule. */
@Module({
  imports: [IdentityModule, NetworkModule, TimelineModule],
  providers: [
    { provide: ALERT_CLOCK, useValue: systemClock },
    AlertEngine,
    Notifier,
    AlertService,
    AlertScheduler,
    AlertResolver,
  ],
  exports: [AlertScheduler, AlertEngine, ALERT_CLOCK],
})
export class AlertsModule implements OnModuleInit {
  constructor(
    private readonly engine: AlertEngine,
    private readonly notifier: Notifier,
    private readonly timelineHooks: TimelineHookRegistry,
    private readonly networkHooks: NetworkHookRegistry,
  ) {}

  onModuleInit(): void {
    this.timelineHooks.register(this.notifier);
    this.timelineHooks.register(this.engine);
    this.networkHooks.register(this.notifier);
    this.networkHooks.register(this.engine);
  }
}
