import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '@hearth/database';
import { IdentityModule } from '@hearth/identity';
import { Metrics } from '@hearth/observability';
import { Mailer } from './mailer.js';
import { NotificationSettingsService } from './notification-settings.service.js';
import { NotifyMetrics } from './notify-metrics.js';
import { NotifyResolver } from './notify.resolver.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxWorker } from './outbox-worker.service.js';
import { OutboxWriter } from './outbox-writer.service.js';
import { PreferenceRepository } from './preference.repository.js';
import { WebhookAdminService } from './webhook-admin.service.js';
import { WebhookEndpointRepository } from './webhook-endpoint.repository.js';
import { WebhookSender } from './webhook-sender.js';

export interface NotifyModuleOptions {
  /** The app's metrics registry (the API's /metrics); the worker has none. */
  readonly metrics?: Metrics;
}

const PROVIDERS = [
  Mailer,
  NotificationSettingsService,
  NotifyMetrics,
  OutboxRepository,
  OutboxWorker,
  OutboxWriter,
  PreferenceRepository,
  WebhookAdminService,
  WebhookEndpointRepository,
  WebhookSender,
];

/**
 * Outbound notifications: preferences, the outbox, email and webhooks. Without transport (the
 * worker loads `register`); `forApi` adds the GraphQL resolvers. Needs the global RealtimeModule
 * (its inbox, and through it the one audience) and AuditModule.
 */
@Module({})
export class NotifyModule implements OnModuleInit {
  static register(options: NotifyModuleOptions = {}): DynamicModule {
    return {
      module: NotifyModule,
      imports: [IdentityModule],
      providers: [...PROVIDERS, ...(options.metrics ? [{ provide: Metrics, useValue: options.metrics }] : [])],
      exports: [OutboxWorker, NotificationSettingsService],
    };
  }

  static forApi(options: NotifyModuleOptions = {}): DynamicModule {
    const core = NotifyModule.register(options);
    return { ...core, providers: [...(core.providers ?? []), NotifyResolver] };
  }

  constructor(
    private readonly events: DomainEvents,
    private readonly writer: OutboxWriter,
  ) {}

  onModuleInit(): void {
    // In the transaction that writes the inbox notifications: the decisions to send go with them.
    this.events.on('realtime.notifying', (manager, notifying) => this.writer.notifying(manager, notifying));
    this.events.on('realtime.notified', (manager, notified) => this.writer.notified(manager, notified));
  }
}
