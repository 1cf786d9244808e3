import { Global, Module, type DynamicModule, type ModuleMetadata, type OnModuleInit, type Type } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IdentityModule, SessionEvents } from '@hearth/identity';
import { InboxService } from './inbox.service.js';
import { InboxTransactionSubscriber } from './inbox.subscriber.js';
import { NotificationResolver } from './notification.resolver.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { NOTIFICATION_AUDIENCE, type NotificationAudience } from './notification-audience.js';

export interface RealtimeModuleOptions {
  /** Modules that provide what the audience needs. */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
  /** Who may be told of what now: asked when a notification is decided and at every push and replay. */
  readonly audience: Type<NotificationAudience>;
}

/**
 * The inbox and the socket gateway, registered once by the app (global, so the one inbox is
 * shared by every lib that writes to it). The app also installs HearthIoAdapter.
 */
@Global()
@Module({})
export class RealtimeModule implements OnModuleInit {
  static forRoot(options: RealtimeModuleOptions): DynamicModule {
    return {
      module: RealtimeModule,
      imports: [IdentityModule, ...options.imports],
      providers: [
        InboxService,
        RealtimeGateway,
        NotificationResolver,
        { provide: NOTIFICATION_AUDIENCE, useClass: options.audience },
      ],
      exports: [InboxService, RealtimeGateway],
    };
  }

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inbox: InboxService,
    private readonly gateway: RealtimeGateway,
    private readonly sessions: SessionEvents,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(new InboxTransactionSubscriber(this.inbox));
    this.sessions.onSessionsEnded((userId, sessionId) => this.gateway.disconnectUser(userId, sessionId));
  }
}
