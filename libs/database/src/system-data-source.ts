import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { asSystemRole, SYSTEM_ROLE } from './application-role.js';
import { DatabaseUnavailableError } from './database.js';
import { DomainEvents } from './domain-events.js';

/**
 * The system's own connections: work done for no one user (the worker's loops, the delivery
 * sweep, the doorbell's re-check after a commit, the outbox's reads). They run as the system
 * role, hearth_system, which row-level security lets see and write every family's rows; the
 * application's connections run as hearth_app, which is not a member of it, and a transaction on
 * them that names no user (`hearth.user_id`) sees no row of a family-scoped table. A transaction
 * here may still narrow itself to one user with `actAsUser`.
 */
export const SYSTEM_DATA_SOURCE = Symbol('SYSTEM_DATA_SOURCE');

/** How many connections the system's work keeps (its checks run a few statements at once). */
const SYSTEM_POOL_SIZE = 4;

/**
 * Where the system's connections go: SYSTEM_DATABASE_URL when set; else the application's URL
 * with the system role in place of the application role, when the administrator's login takes
 * the role (the embedded database, the test suite's); else the application's URL itself (a login
 * that owns the tables or bypasses row-level security; `checkSystemRole` refuses any other).
 */
function systemUrl(appUrl: string, configured: string | undefined): string {
  return configured ?? asSystemRole(appUrl) ?? appUrl;
}

/**
 * Refuses to start when the system's connections would be filtered to one user's rows: their login
 * is neither the system role nor one row-level security leaves alone (its work would silently see
 * nothing).
 */
async function checkSystemRole(system: DataSource): Promise<void> {
  const [row] = await system.query<Array<{ role: string; filtered: boolean }>>(
    `SELECT current_user AS role,
            CASE WHEN to_regclass('public.timeline_events') IS NULL THEN false
                 ELSE row_security_active('public.timeline_events') END AS filtered`,
  );
  if (row && row.filtered && row.role !== SYSTEM_ROLE) {
    throw new DatabaseUnavailableError(
      `the system's connections run as ${row.role}, which row-level security limits to one user's rows: ` +
        `set SYSTEM_DATABASE_URL to the ${SYSTEM_ROLE} login (deploy/sql/roles.sql)`,
    );
  }
}

/** Closes the system's connections when the application stops. */
@Injectable()
class SystemDataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(SYSTEM_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Gives every module `SYSTEM_DATA_SOURCE`: the application's data source's options on a small
 * pool of system-scoped connections. Its transactions publish domain events as the
 * application's do.
 */
@Global()
@Module({
  providers: [
    {
      provide: SYSTEM_DATA_SOURCE,
      inject: [getDataSourceToken(), DomainEvents, HEARTH_CONFIG],
      useFactory: async (main: DataSource, events: DomainEvents, config: HearthConfig): Promise<DataSource> => {
        const { url, extra } = main.options as { url: string; extra?: Record<string, unknown> };
        const system = new DataSource({
          ...main.options,
          url: systemUrl(url, config.systemDatabaseUrl),
          extra: { ...extra, max: SYSTEM_POOL_SIZE, application_name: 'hearth-system' },
        } as DataSourceOptions);
        // Initializing replaces a data source's subscribers: watched after.
        await system.initialize();
        try {
          await checkSystemRole(system);
        } catch (error) {
          await system.destroy();
          throw error;
        }
        events.watch(system);
        return system;
      },
    },
    SystemDataSourceCloser,
  ],
  exports: [SYSTEM_DATA_SOURCE],
})
export class SystemDataSourceModule {}
