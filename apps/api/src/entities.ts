import { AUDIT_ENTITIES } from '@hearth/audit';

/** Every TypeORM entity of Hearth, for tools that need the whole schema (migration:generate). */
export const ENTITIES: Array<new () => unknown> = [...AUDIT_ENTITIES];
