import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertRecipientsModule, AlertsModule, NotificationAudienceService } from '@hearth/alerts';
import { AuditModule } from '@hearth/audit';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { dataSourceOptions, DomainEventsModule, SystemDataSourceModule } from '@hearth/database';
import { IdentityModule } from '@hearth/identity';
import { NetworkModule } from '@hearth/network';
import { NotifyModule } from '@hearth/notify';
import { RealtimeModule } from '@hearth/realtime';
import { TimelineModule } from '@hearth/timeline';

export interface WorkerOptions {
  readonly config: HearthConfig;
  readonly databaseUrl: string;
}

/**
 * The worker: the domain's scheduled work beside the API, with no HTTP — the audit sealer, alert
 * escalation and time-based (ABSENCE) rules. It loads the libs' core modules only, and its
 * notifications ring the API nodes' sockets through the socket.io emitter over the same adapter.
 */
@Module({})
export class WorkerModule {
  static register(options: WorkerOptions): DynamicModule {
    const { config, databaseUrl } = options;
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(databaseUrl, [], 3), autoLoadEntities: true }),
        }),
        DomainEventsModule,
        SystemDataSourceModule,
        AuditModule.forWorker(),
        IdentityModule,
        NetworkModule,
        TimelineModule,
        RealtimeModule.forWorker({
          imports: [IdentityModule, NetworkModule, TimelineModule, AlertRecipientsModule],
          audience: NotificationAudienceService,
          emitter: { databaseUrl, redisUrl: config.redisUrl, cluster: config.socketAdapter },
        }),
        AlertsModule,
        NotifyModule.register(),
      ],
    };
  }
}
