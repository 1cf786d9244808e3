import { Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DomainEvents } from './domain-events.js';

/**
 * The system's own connections: work done for no one user (the worker's loops, the delivery
 * sweep, the doorbell's re-check after a commit, the outbox's reads). Each connection says so for
 * its whole session (`hearth.scope = system`, set when it connects), so row-level security lets
 * it see and write every family's rows; the application's connections never say it, and a
 * transaction on them that names no user (`hearth.user_id`) sees no row of a family-scoped
 * table. A transaction here may still narrow itself to one user with `actAsUser`.
 */
export const SYSTEM_DATA_SOURCE = Symbol('SYSTEM_DATA_SOURCE');

/** How many connections the system's work keeps (its checks run a few statements at once). */
const SYSTEM_POOL_SIZE = 4;

/** `url`, its sessions scoped to the system's work (kept beside any options the URL has). */
export function asSystemScope(url: string): string {
  const u = new URL(url);
  const options = u.searchParams.get('options');
  u.searchParams.set('options', [options, '-c hearth.scope=system'].filter(Boolean).join(' '));
  return u.toString();
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
      inject: [getDataSourceToken(), DomainEvents],
      useFactory: async (main: DataSource, events: DomainEvents): Promise<DataSource> => {
        const { url, extra } = main.options as { url: string; extra?: Record<string, unknown> };
        const system = new DataSource({
          ...main.options,
          url: asSystemScope(url),
          extra: { ...extra, max: SYSTEM_POOL_SIZE, application_name: 'hearth-system' },
        } as DataSourceOptions);
        // Initializing replaces a data source's subscribers: watched after.
        await system.initialize();
        events.watch(system);
        return system;
      },
    },
    SystemDataSourceCloser,
  ],
  exports: [SYSTEM_DATA_SOURCE],
})
export class SystemDataSourceModule {}
