/**
 * Settings that only the test harness reads. They live here because this lib is the only
 * reader of the environment; the harness hands the shared server to its workers through it.
 */
export interface TestSettings {
  /** A PostgreSQL server to use instead of an embedded one (for example PostgreSQL 15 on CI). */
  readonly testDatabaseUrl: string | undefined;
  /** Set by the global setup: the server every test file clones its database on. */
  readonly serverUrl: string | undefined;
  readonly templateDatabase: string | undefined;
  readonly redisUrl: string | undefined;
  /** HEARTH_UPDATE_SQL=1 (`npm run sql`): rewrite the committed SQL of the repositories. */
  readonly updateSql: boolean;
}

const SERVER = 'HEARTH_TEST_SERVER_URL';
const TEMPLATE = 'HEARTH_TEST_TEMPLATE_DATABASE';

export function readTestSettings(env: Readonly<Record<string, string | undefined>> = process.env): TestSettings {
  return {
    testDatabaseUrl: env['TEST_DATABASE_URL'] || undefined,
    serverUrl: env[SERVER] || undefined,
    templateDatabase: env[TEMPLATE] || undefined,
    redisUrl: env['REDIS_URL'] || undefined,
    updateSql: env['HEARTH_UPDATE_SQL'] === '1',
  };
}

/** Called by the global setup; jest workers inherit the environment of the process that starts them. */
export function publishTestServer(serverUrl: string, templateDatabase: string): void {
  process.env[SERVER] = serverUrl;
  process.env[TEMPLATE] = templateDatabase;
}
