import { RateCounterEntity } from './rate-counter.entity.js';

/** The tables the database lib owns: the one atomic counter behind every rate limit. */
export const DATABASE_TABLES = ['rate_counters'] as const;

/** One entity per table above. */
export const DATABASE_ENTITIES = [RateCounterEntity];
