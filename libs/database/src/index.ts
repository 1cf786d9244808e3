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
export { DomainEvents, DomainEventsModule, EFFECT_ERROR_REPORTER } from './domain-events.js';
export type {
  AfterCommitEffect,
  DomainEventHandler,
  DomainEventMap,
  DomainEventName,
  EffectErrorReporter,
} from './domain-events.js';
