import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@hearth/audit';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { dataSourceOptions } from '@hearth/database';

export interface WorkerOptions {
  readonly config: HearthConfig;
  readonly databaseUrl: string;
}

/** The worker: the loops that run beside the API (for now, the audit sealer). No HTTP. */
@Module({})
export class WorkerModule {
  static register(options: WorkerOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(options.config),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(options.databaseUrl, [], 3), autoLoadEntities: true }),
        }),
        AuditModule.forWorker(),
      ],
    };
  }
}
