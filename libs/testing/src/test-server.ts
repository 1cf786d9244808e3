import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { publishTestServer, readTestSettings } from '@hearth/config';
import {
  asApplicationRole,
  grantApplicationRole,
  migrate,
  quoteIdent,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '@hearth/database';

/**
 * One PostgreSQL server per test run: an embedded one in a temporary folder, or the server of
 * TEST_DATABASE_URL. A template database with every migration applied is made once; each test
 * file clones it (see createTestDatabase), which takes milliseconds.
 */
export interface TestServer {
  readonly serverUrl: string;
  readonly templateDatabase: string;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Runs once on the migrated template before any test file clones it (the demo seed). */
  readonly prepareTemplate?: (templateUrl: string) => Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { testDatabaseUrl } = readTestSettings();
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let serverUrl: string;
  if (testDatabaseUrl) {
    serverUrl = testDatabaseUrl;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-test-'));
    chmodSync(dataDir, 0o755); // reachable by the postgres user when the tests run as root
    embedded = await startEmbeddedPostgres({ dataDir, relocateIfUnreachable: false, durable: false });
    serverUrl = embedded.url('postgres');
  }
  const templateDatabase = `hearth_template_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${quoteIdent(templateDatabase)}`);
  await migrate(withDatabase(serverUrl, templateDatabase));
  await grantApplicationRole(withDatabase(serverUrl, templateDatabase));
  // A second template, with the demo partnership, for tests that drive the app as its users.
  const demoTemplate = demoTemplateOf(templateDatabase);
  await admin(serverUrl, `CREATE DATABASE ${quoteIdent(demoTemplate)} TEMPLATE ${quoteIdent(templateDatabase)}`);
  await options.prepareTemplate?.(withDatabase(serverUrl, demoTemplate));
  publishTestServer(serverUrl, templateDatabase);

  return {
    serverUrl,
    templateDatabase,
    async stop() {
      if (embedded) {
        await embedded.stop();
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      } else {
        await dropDatabasesLike(serverUrl, templateDatabase);
      }
    },
  };
}

export interface TestDatabase {
  /** As the administrator, who owns the tables: for arranging what the API cannot. */
  readonly url: string;
  /**
   * As the application role, hearth_app, which owns nothing and is subject to row-level
   * security, as a deployment runs the API (deploy/sql).
   */
  readonly appUrl: string;
  readonly name: string;
  drop(): Promise<void>;
}

const demoTemplateOf = (template: string) => `${template}_demo`;

/**
 * A fresh database for one test file, cloned from the migrated template: empty, or holding the
 * demo partnership when `demo` is set.
 */
export async function createTestDatabase(options: { demo?: boolean } = {}): Promise<TestDatabase> {
  const { serverUrl, templateDatabase } = readTestSettings();
  if (!serverUrl || !templateDatabase) {
    throw new Error('no test server: run the tests through jest (npm test), whose global setup starts one');
  }
  const name = `${templateDatabase}_${randomBytes(5).toString('hex')}`;
  const source = options.demo ? demoTemplateOf(templateDatabase) : templateDatabase;
  await admin(serverUrl, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(source)}`);
  return {
    url: withDatabase(serverUrl, name),
    appUrl: asApplicationRole(withDatabase(serverUrl, name)),
    name,
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  };
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropDatabasesLike(serverUrl: string, template: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `${template}\\_%`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
