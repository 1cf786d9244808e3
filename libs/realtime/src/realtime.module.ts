import {
  Global,
  Injectable,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { IdentityModule, SessionEvents } from '@hearth/identity';
import { DELIVERY_SWEEP_INTERVAL, DeliverySweep } from './delivery-sweep.js';
import { DOORBELL } from './doorbell.js';
import { EmitterDoorbell, type EmitterOptions } from './emitter.doorbell.js';
import { InboxService } from './inbox.service.js';
import { NotificationRepository } from './notification.repository.js';
import { NotificationResolver } from './notification.resolver.js';
import { RealtimeGateway, SOCKETS_CLUSTERED } from './realtime.gateway.js';
import { ServerDoorbell } from './server.doorbell.js';
import { NOTIFICATION_AUDIENCE, type NotificationAudience } from './notification-audience.js';

export interface RealtimeModuleOptions {
  /** Modules that provide what the audience needs. */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
  /** Who may be told of what now: asked when a notification is decided and at every push and replay. */
  readonly audience: Type<NotificationAudience>;
}

export interface RealtimeApiOptions extends RealtimeModuleOptions {
  /** How often the node sends its sockets what a lost push did not bring (HEARTH_DELIVERY_SWEEP_INTERVAL_MS). */
  readonly deliverySweepIntervalMs: number;
  /** Whether API nodes share their sockets through a cluster adapter (HEARTH_SOCKET_ADAPTER is not `none`). */
  readonly clustered: boolean;
}

/** Ended sessions (logout, disabled account) lose their sockets on every node. */
@Injectable()
class SessionSockets implements OnModuleInit {
  constructor(
    private readonly sessions: SessionEvents,
    private readonly gateway: RealtimeGateway,
  ) {}

  onModuleInit(): void {
    this.sessions.onSessionsEnded((userId, sessionId) => this.gateway.disconnectUser(userId, sessionId));
  }
}

/**
 * The inbox (global, so the one inbox is shared by every lib that writes to it) and how its
 * doorbell reaches sockets: `forApi` serves them (the gateway and the delivery sweep; the app
 * also installs HearthIoAdapter), `forWorker` reaches them through the socket.io emitter.
 */
@Global()
@Module({})
export class RealtimeModule {
  static forApi(options: RealtimeApiOptions): DynamicModule {
    return {
      module: RealtimeModule,
      imports: [IdentityModule, ...options.imports],
      providers: [
        InboxService,
        NotificationRepository,
        RealtimeGateway,
        NotificationResolver,
        SessionSockets,
        ServerDoorbell,
        { provide: DOORBELL, useExisting: ServerDoorbell },
        DeliverySweep,
        { provide: DELIVERY_SWEEP_INTERVAL, useValue: options.deliverySweepIntervalMs },
        { provide: SOCKETS_CLUSTERED, useValue: options.clustered },
        { provide: NOTIFICATION_AUDIENCE, useClass: options.audience },
      ],
      exports: [InboxService, RealtimeGateway, DeliverySweep],
    };
  }

  static forWorker(options: RealtimeModuleOptions & { readonly emitter: EmitterOptions }): DynamicModule {
    return {
      module: RealtimeModule,
      imports: [IdentityModule, ...options.imports],
      providers: [
        InboxService,
        NotificationRepository,
        { provide: DOORBELL, useFactory: () => new EmitterDoorbell(options.emitter) },
        { provide: NOTIFICATION_AUDIENCE, useClass: options.audience },
      ],
      exports: [InboxService],
    };
  }
}
