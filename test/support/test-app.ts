import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type HearthConfig } from '@hearth/config';
import { createLogger } from '@hearth/observability';
import { createTestDatabase, graphql, graphqlData, type GraphQLCall, type TestDatabase } from '@hearth/testing';
import { startHearth, type RunningHearth } from '../../apps/api/src/hearth.js';

export interface TestApp {
  readonly url: string;
  readonly config: HearthConfig;
  readonly database: TestDatabase;
  readonly hearth: RunningHearth;
  gql<T = Record<string, unknown>>(call: GraphQLCall): ReturnType<typeof graphql<T>>;
  gqlData<T = Record<string, unknown>>(call: GraphQLCall): Promise<T>;
  close(): Promise<void>;
}

/**
 * Hearth in this process on a free port, over a fresh database cloned from the migrated
 * template. `env` overrides configuration as the environment would.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { shareDatabaseOf?: TestApp } = {},
): Promise<TestApp> {
  // A second node on the same database shares it and leaves dropping it to the first.
  const shared = options.shareDatabaseOf?.database;
  const database = shared ? { ...shared, drop: () => Promise.resolve() } : await createTestDatabase({ demo: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-app-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env['HEARTH_TEST_LOG_LEVEL'] ?? 'silent',
    LOG_FORMAT: 'json',
    HEARTH_DATA_DIR: dataDir,
    // The API runs as the application role, subject to row-level security (migrations are applied).
    DATABASE_URL: database.appUrl,
    // The template already holds the demo partnership.
    HEARTH_SEED_DEMO: 'false',
    // Suites drive many mutations as one user from one address; the limits have their own tests.
    HEARTH_MUTATIONS_PER_MINUTE_PER_USER: '1000000',
    HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS: '1000000',
    // One node unless a test asks for more (it then sets HEARTH_SOCKET_ADAPTER).
    HEARTH_SOCKET_ADAPTER: 'none',
    // Nodes of one deployment share their signing keys.
    ...(options.shareDatabaseOf
      ? {
          HEARTH_JWT_PRIVATE_KEY: options.shareDatabaseOf.config.auth.keys.privateKeyPem,
          HEARTH_JWT_PUBLIC_KEY: options.shareDatabaseOf.config.auth.keys.publicKeyPem,
        }
      : {}),
    ...env,
  });
  const hearth = await startHearth(config, database.appUrl, createLogger(config));
  return {
    url: hearth.url,
    config,
    database,
    hearth,
    gql: (call) => graphql(hearth.url, call),
    gqlData: (call) => graphqlData(hearth.url, call),
    async close() {
      await hearth.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
