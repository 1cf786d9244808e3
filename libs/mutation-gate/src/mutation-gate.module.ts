import { Module, type DynamicModule, type ModuleMetadata, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { joinUnitsOfWork, RateCounterEntity } from '@hearth/database';
import { Housekeeping } from './housekeeping.service.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { IdempotencyStore } from './idempotency.store.js';
import { MutationGate } from './mutation-gate.plugin.js';

export const MUTATION_GATE_ENTITIES = [IdempotencyKeyEntity];

export interface MutationGateModuleOptions {
  /** Modules that provide AUTHENTICATOR. */
  readonly imports: NonNullable<ModuleMetadata['imports']>;
}

/** Rate limits and idempotency keys for every mutation (the app installs MutationGate's plugin). */
@Module({})
export class MutationGateModule implements OnModuleInit {
  static forRoot(options: MutationGateModuleOptions): DynamicModule {
    return {
      module: MutationGateModule,
      imports: [TypeOrmModule.forFeature([IdempotencyKeyEntity, RateCounterEntity]), ...options.imports],
      providers: [IdempotencyStore, MutationGate, Housekeeping],
      exports: [MutationGate, Housekeeping],
    };
  }

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    joinUnitsOfWork(this.dataSource);
  }
}
