import type { MigrationInterface } from 'typeorm';

/**
 * Every migration, oldest first. A new migration is added at the end (npm run migration:generate
 * writes the file; add it here), and a merged migration is never edited.
 */
export const MIGRATIONS: ReadonlyArray<new () => MigrationInterface> = [];
