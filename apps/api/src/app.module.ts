import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@hearth/audit';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { IdentityModule } from '@hearth/identity';
import { AlertsModule, NotificationAudienceService } from '@hearth/alerts';
import { NetworkModule } from '@hearth/network';
import { RealtimeModule } from '@hearth/realtime';
import { TimelineModule } from '@hearth/timeline';
import { dataSourceOptions } from '@hearth/database';
import { Metrics, type Logger } from '@hearth/observability';
import { graphqlOptions } from './graphql.options.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { DemoSeeder } from './demo/demo-seeder.js';
import { IdentityAuditModule } from './identity-audit.module.js';
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
          useFactory: () => ({ ...dataSourceOptions(databaseUrl, []), autoLoadEntities: true }),
        }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          useFactory: () => graphqlOptions(config, logger, metrics),
        }),
        // The sealer runs here too unless a separate worker does it (HEARTH_RUN_WORKER).
        AuditModule.forApi({ runSealer: config.runWorker }),
        IdentityAuditModule,
        IdentityModule,
        NetworkModule,
        TimelineModule,
        RealtimeModule.forRoot({
          imports: [IdentityModule, NetworkModule, TimelineModule],
          audience: NotificationAudienceService,
        }),
        AlertsModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [{ provide: Metrics, useValue: metrics }, SystemResolver, DemoSeeder],
    };
  }
}
