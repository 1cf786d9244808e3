import type { MigrationInterface } from 'typeorm';
import { CreateAuditTrail1795324944396 } from './1795324944396-CreateAuditTrail.js';

/**
 * Every migration, oldest first. A new migration is added at the end (npm run migration:generate
 * writes the file; add it here), and a merged migration is never edited.
 */
export const MIGRATIONS: ReadonlyArray<new () => MigrationInterface> = [CreateAuditTrail1795324944396];
