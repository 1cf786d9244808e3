import {
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DENIAL_RECORDER } from '@hearth/authz';
import { AuditChainRepository } from './audit-chain.repository.js';
import { AuditCheckpointEntity } from './audit-checkpoint.entity.js';
import { AuditDenialRecorder } from './audit-denial.recorder.js';
import { AuditEntryEntity } from './audit-entry.entity.js';
import { AuditExportController } from './audit-export.controller.js';
import { AuditLog } from './audit-log.service.js';
import { AuditSealEntity } from './audit-seal.entity.js';
import { AuditSealer } from './audit-sealer.service.js';
import { AuditTrailService } from './audit-trail.service.js';
import { AuditVerifier } from './audit-verifier.service.js';
import { AuditRepository } from './audit.repository.js';
import { AuditResolver } from './audit.resolver.js';

export const AUDIT_ENTITIES = [AuditEntryEntity, AuditSealEntity, AuditCheckpointEntity];

const RUN_SEALER = Symbol('RUN_SEALER');

/** Runs the sealer loop for the life of the application when asked to. */
@Injectable()
class AuditSealerLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly sealer: AuditSealer,
    @Inject(RUN_SEALER) private readonly enabled: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (this.enabled) this.sealer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sealer.stop();
  }
}

const core: Provider[] = [AuditRepository, AuditChainRepository, AuditLog, AuditSealer, AuditVerifier, AuditSealerLoop];

/**
 * The audit trail. Global, so every capability can inject AuditLog and record in its own
 * transaction. `forApi` adds what auditors use (GraphQL, CSV export) and the guard's
 * DENIAL_RECORDER; `forWorker` is the record API and the sealer only.
 */
@Module({})
export class AuditModule {
  static forApi(options: { runSealer: boolean }): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
      providers: [
        ...core,
        { provide: RUN_SEALER, useValue: options.runSealer },
        AuditTrailService,
        AuditResolver,
        { provide: DENIAL_RECORDER, useClass: AuditDenialRecorder },
      ],
      controllers: [AuditExportController],
      exports: [AuditLog, AuditSealer, AuditVerifier, DENIAL_RECORDER],
    };
  }

  static forWorker(): DynamicModule {
    return {
      module: AuditModule,
      global: true,
      imports: [TypeOrmModule.forFeature(AUDIT_ENTITIES)],
      providers: [...core, { provide: RUN_SEALER, useValue: true }],
      exports: [AuditLog, AuditSealer, AuditVerifier],
    };
  }
}
