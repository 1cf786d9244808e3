export {
  checkReachable,
  dataSourceOptions,
  DatabaseUnavailableError,
  EMBEDDED_DATABASE_NAME,
  isStartupError,
  migrate,
  openDatabase,
  updateReturning,
} from './database.js';
export type { DatabaseHandle } from './database.js';
export { EmbeddedPostgresError, ensureDatabase, quoteIdent, startEmbeddedPostgres } from './embedded-postgres.js';
export type { EmbeddedPostgres, EmbeddedPostgresOptions } from './embedded-postgres.js';
export { MIGRATIONS } from './migrations/index.js';
export { deleteExpiredRateCounters, hitRateLimit, hitRateLimits, refundRateLimit } from './rate-counter.js';
export type { HitOptions, Queryable, RateDecision, RateHit, RateLimit } from './rate-counter.js';
export { RateCounterEntity } from './rate-counter.entity.js';
export { DATABASE_ENTITIES, DATABASE_TABLES } from './tables.js';
export { APPLICATION_ROLE, asApplicationRole, grantApplicationRole, SYSTEM_ROLE } from './application-role.js';
export { actAsUser, joinUnitsOfWork, UnitOfWork, UnitOfWorkRolledBack } from './unit-of-work.js';
export type { BeginOptions, OpenUnitOfWork } from './unit-of-work.js';
export { DomainEvents, DomainEventsModule, EFFECT_ERROR_REPORTER } from './domain-events.js';
export type {
  AfterCommitEffect,
  DomainEventHandler,
  DomainEventMap,
  DomainEventName,
  EffectErrorReporter,
} from './domain-events.js';
export { preparedQuery } from './prepared.js';
export { SYSTEM_DATA_SOURCE, SystemDataSourceModule } from './system-data-source.js';
