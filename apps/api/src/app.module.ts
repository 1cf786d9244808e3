import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@hearth/audit';
import { AccessGuard, RefusalInterceptor } from '@hearth/authz';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { IdentityModule } from '@hearth/identity';
import { MutationGate, MutationGateModule } from '@hearth/mutation-gate';
import { AlertRecipientsModule, AlertsModule, NotificationAudienceService } from '@hearth/alerts';
import { NetworkModule } from '@hearth/network';
import { NotifyModule } from '@hearth/notify';
import { RealtimeModule } from '@hearth/realtime';
import { TimelineModule } from '@hearth/timeline';
import { dataSourceOptions, DomainEventsModule, SystemDataSourceModule } from '@hearth/database';
import { Metrics, type Logger } from '@hearth/observability';
import { graphqlOptions } from './graphql.options.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { DemoSeeder } from './demo/demo-seeder.js';
import { DirectoryHooksModule } from './directory-hooks.module.js';
import { ENTITIES } from './entities.js';
import { SystemResolver } from './system.resolver.js';

export interface AppOptions {
  readonly config: HearthConfig;
  readonly databaseUrl: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

@Module({})
export class AppModule {
  static register(options: AppOptions): DynamicModule {
    const { config, databaseUrl, logger, metrics } = options;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(databaseUrl, ENTITIES, config.databasePoolSize),
            autoLoadEntities: true,
          }),
        }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [MutationGateModule.forRoot({ imports: [IdentityModule, NetworkModule] })],
          inject: [MutationGate],
          useFactory: (gate: MutationGate) => graphqlOptions(config, logger, metrics, gate),
        }),
        // The sealer runs here too unless a separate worker does it (HEARTH_RUN_WORKER).
        DomainEventsModule,
        SystemDataSourceModule,
        AuditModule.forApi({ runSealer: config.runWorker }),
        // Who the directory must never list (network's knowledge, identity's question).
        DirectoryHooksModule,
        IdentityModule.forApi(),
        NetworkModule.forApi(),
        TimelineModule.forApi(),
        RealtimeModule.forApi({
          imports: [IdentityModule, NetworkModule, TimelineModule, AlertRecipientsModule],
          audience: NotificationAudienceService,
          deliverySweepIntervalMs: config.deliverySweepIntervalMs,
          clustered: config.socketAdapter !== 'none',
        }),
        AlertsModule.forApi(),
        NotifyModule.forApi({ metrics }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        // The one gate in front of every route and resolver, and the record of refusals inside them.
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: RefusalInterceptor },
        { provide: Metrics, useValue: metrics },
        SystemResolver,
        DemoSeeder,
      ],
    };
  }
}
