import pg from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import type { HearthConfig } from '@hearth/config';
import { asApplicationRole } from './application-role.js';
import { EmbeddedPostgresError, ensureDatabase, startEmbeddedPostgres } from './embedded-postgres.js';
import { MIGRATIONS } from './migrations/index.js';

// A bigint (COUNT, sequence numbers) would otherwise arrive as a string.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Raised when the database cannot be reached; its message is one line. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/** The database Hearth runs on: the configured server, or an embedded one owned by this process. */
export interface DatabaseHandle {
  /** The administrator's (or the configured) URL: migrations run with it. */
  readonly url: string;
  /**
   * What the API connects as. Embedded: the application role, which owns no table and is subject
   * to row-level security (see grantApplicationRole). Configured: the same as `url` (a deployment
   * gives the API hearth_app's own login; deploy/sql).
   */
  readonly appUrl: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE_NAME = 'hearth';

export async function openDatabase(
  config: HearthConfig,
  notice: (line: string) => void = () => undefined,
): Promise<DatabaseHandle> {
  if (config.databaseUrl !== undefined) {
    await checkReachable(config.databaseUrl);
    return { url: config.databaseUrl, appUrl: config.databaseUrl, embedded: false, close: () => Promise.resolve() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    relocateIfUnreachable: !config.dataDirExplicit,
    durable: true,
    notice,
  });
  try {
    await ensureDatabase(server.url('postgres'), EMBEDDED_DATABASE_NAME);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const url = server.url(EMBEDDED_DATABASE_NAME);
  return { url, appUrl: asApplicationRole(url), embedded: true, close: () => server.stop() };
}

/** Fails fast, with one line, when the server is unreachable or refuses us. */
export async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new DatabaseUnavailableError(`cannot reach the database at ${describeUrl(url)}: ${reason(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message.split('\n')[0] ?? '';
    return code && !message.includes(code) ? `${code} ${message}` : message || String(code);
  }
  return String(error);
}

export function isStartupError(error: unknown): error is DatabaseUnavailableError | EmbeddedPostgresError {
  return error instanceof DatabaseUnavailableError || error instanceof EmbeddedPostgresError;
}

type Entities = MixedList<string | (new () => unknown) | EntitySchema>;

/** TypeORM options for Hearth: migrations only, never synchronize. */
export function dataSourceOptions(url: string, entities: Entities, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: [...MIGRATIONS],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize, application_name: 'hearth' },
  };
}

/** Applies pending migrations with a short-lived connection. */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, [], 1));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Rows of an UPDATE … RETURNING. TypeORM answers such a statement on PostgreSQL with
 * `[rows, affectedCount]` rather than the rows, unlike a SELECT or an INSERT.
 */
export async function updateReturning<T>(
  manager: { query(sql: string, params?: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const result = await manager.query(sql, params);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}
