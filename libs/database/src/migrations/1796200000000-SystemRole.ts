import type { MigrationInterface, QueryRunner } from 'typeorm';
import { replacePolicies, SYSTEM_SCOPE } from './1796190000000-FamilyRowSecurityFailsClosed.js';

/**
 * The system's work sees every family's rows because of who it is, not what it says. Before, a
 * connection was the system's when its session set `hearth.scope` to `system`, a setting any
 * session may set, the application's included. Now it is the system's when it runs as the system
 * role, hearth_system (deploy/sql/roles.sql), which the application role is not a member of, and
 * only while it names no user: a system transaction that narrows itself to one user
 * (`actAsUser`) is filtered as that user's. The rules for a named user do not change.
 */
const SYSTEM_WORK = `(current_user = 'hearth_system' AND nullif(current_setting('hearth.user_id', true), '') IS NULL)`;

export class SystemRole1796200000000 implements MigrationInterface {
  name = 'SystemRole1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await replacePolicies(q, SYSTEM_WORK);
  }

  async down(q: QueryRunner): Promise<void> {
    await replacePolicies(q, SYSTEM_SCOPE);
  }
}
