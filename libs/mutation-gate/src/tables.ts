import { IdempotencyKeyEntity } from './idempotency-key.entity.js';

/** The tables the mutation gate owns: only its SQL names them (checked by `npm run lint`). */
export const MUTATION_GATE_TABLES = ['idempotency_keys'] as const;

/** One entity per table above. */
export const MUTATION_GATE_ENTITIES = [IdempotencyKeyEntity];
