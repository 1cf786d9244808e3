import { AUDIT_ENTITIES } from '@hearth/audit';
import { RateCounterEntity } from '@hearth/database';
import { IDENTITY_ENTITIES } from '@hearth/identity';

/** Every TypeORM entity of Hearth, for tools that need the whole schema (migration:generate). */
export const ENTITIES: Array<new () => unknown> = [...IDENTITY_ENTITIES, ...AUDIT_ENTITIES, RateCounterEntity];
