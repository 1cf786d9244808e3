import { Module, type DynamicModule, type ModuleMetadata, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DATABASE_ENTITIES, joinUnitsOfWork } from '@hearth/database';
import { Housekeeping } from './housekeeping.service.js';
import { IdempotencyKeyRepository } from './idempotency-key.repository.js';
import { MutationGate } from './mutation-gate.plugin.js';
import { MUTATION_GATE_ENTITIES } from './tables.js';

export interface MutationGateModuleOptions {
  /** Modules that provide AUTHENTICATOR, and FACTS_SOURCE (read with the session check) if any. */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
}

/** Rate limits and idempotency keys for every mutation (the app installs MutationGate's plugin). */
@Module({})
export class MutationGateModule implements OnModuleInit {
  static forRoot(options: MutationGateModuleOptions): DynamicModule {
    return {
      module: MutationGateModule,
      imports: [TypeOrmModule.forFeature([...MUTATION_GATE_ENTITIES, ...DATABASE_ENTITIES]), ...options.imports],
      providers: [IdempotencyKeyRepository, MutationGate, Housekeeping],
      exports: [MutationGate, Housekeeping],
    };
  }

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    joinUnitsOfWork(this.dataSource);
  }
}
