export { Housekeeping } from './housekeeping.service.js';
export { IdempotencyKeyEntity } from './idempotency-key.entity.js';
export { KEY_TTL_HOURS } from './idempotency-key.repository.js';
export { MutationGateModule } from './mutation-gate.module.js';
export { MUTATION_GATE_ENTITIES, MUTATION_GATE_TABLES } from './tables.js';
export type { MutationGateModuleOptions } from './mutation-gate.module.js';
export { IDEMPOTENCY_HEADER, MutationGate } from './mutation-gate.plugin.js';
