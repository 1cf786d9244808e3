export { AUDIT_ACTIONS, AUDIT_OUTCOMES, AuditAction, AuditOutcome } from './audit-action.js';
export { CHAIN_COLUMNS, CHAIN_FORMAT, canonicalEntry, chainHash, GENESIS_HASH } from './audit-chain.js';
export type { ChainEntry } from './audit-chain.js';
export { AuditCheckpointEntity } from './audit-checkpoint.entity.js';
export { AuditDenialRecorder } from './audit-denial.recorder.js';
export type {
  AuditActor,
  AuditDetail,
  AuditDetailValue,
  AuditEntryInput,
  AuditReadInput,
  RecordedAuditEntry,
} from './audit-entry.js';
export { AuditEntryEntity } from './audit-entry.entity.js';
export { AuditLog, READ_IDS_PER_ENTRY } from './audit-log.service.js';
export { AuditSealEntity } from './audit-seal.entity.js';
export { AUDIT_SEALER_OPTIONS, AuditSealer } from './audit-sealer.service.js';
export type { AuditSealerOptions } from './audit-sealer.service.js';
export { AuditTrailService, CSV_COLUMNS } from './audit-trail.service.js';
export { AuditVerifier } from './audit-verifier.service.js';
export type { AuditIntegrityReport } from './audit-verifier.service.js';
export type { AuditFilter } from './audit.repository.js';
export { AUDIT_ENTITIES, AuditModule } from './audit.module.js';
export { AUDIT_TABLES } from './tables.js';
