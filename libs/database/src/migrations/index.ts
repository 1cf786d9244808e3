import type { MigrationInterface } from 'typeorm';
import { CreateIdentity1795324738262 } from './1795324738262-CreateIdentity.js';
import { CreateAuditTrail1795324944396 } from './1795324944396-CreateAuditTrail.js';

/**
 * Every migration, oldest first. A new migration is added at the end (npm run migration:generate
 * writes the file and lists it here), and a merged migration is never edited.
 */
export const MIGRATIONS: ReadonlyArray<new () => MigrationInterface> = [
  CreateIdentity1795324738262,
  CreateAuditTrail1795324944396,
];
