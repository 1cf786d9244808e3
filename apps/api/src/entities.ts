import { AUDIT_ENTITIES } from '@hearth/audit';
import { RateCounterEntity } from '@hearth/database';
import { IDENTITY_ENTITIES } from '@hearth/identity';
import { MUTATION_GATE_ENTITIES } from '@hearth/mutation-gate';

/** Every TypeORM entity of Hearth, for tools that need the whole schema (migration:generate). */
export const ENTITIES: Array<new () => unknown> = [
  ...IDENTITY_ENTITIES,
  ...AUDIT_ENTITIES,
  RateCounterEntity,
  ...MUTATION_GATE_ENTITIES,
];
