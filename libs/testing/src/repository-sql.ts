import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityManager } from 'typeorm';
import { createSqlRecorder, type SqlRecorder } from './sql-recorder.js';
import { createTestDataSource, type TestDataSource } from './test-data-source.js';

/** What a repository's SQL spec records with, on a fresh database of its own. */
export interface RepositorySql {
  /** The recorder: statements issued on `sql.dataSource` are recorded. */
  readonly sql: SqlRecorder;
  /** Another pool on the same database, not recorded: for seeding and listening. */
  readonly db: TestDataSource;
  /** Runs `call`, files its statements under `label`, and gives back what it returned. */
  readonly record: <T>(label: string, call: () => Promise<T>) => Promise<T>;
  /** `record`, the call in its own transaction (committed). */
  readonly inTransaction: <T>(label: string, call: (tx: EntityManager) => Promise<T>) => Promise<T>;
  /** Runs the calls in one transaction that is rolled back: nothing is left behind. */
  readonly rolledBack: (calls: (manager: EntityManager) => Promise<unknown>) => Promise<void>;
  /**
   * `record` for a write whose rows do not exist (a foreign key refuses it): the statement is
   * recorded, the refusal is not an error, and the transaction is rolled back.
   */
  readonly refused: (label: string, call: (manager: EntityManager) => Promise<unknown>) => Promise<void>;
  /** An agency and an active user in it, written unrecorded, for statements that need a real account. */
  readonly seedAccount: (agencyKind?: string) => Promise<{ agencyId: string; userId: string }>;
}

class RolledBack extends Error {}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A repository SQL spec: one test per committed file `libs/<lib>/sql/<name>.sql`, which records the
 * statements its case issues and fails when they differ from the file (`npm run sql` rewrites
 * it). `spec` is the spec's `import.meta.url`; the files are named relative to it, in order.
 * Returns the context, filled before the first test, for a spec's other tests.
 */
export function describeRepositorySql(
  spec: string,
  files: Record<string, (context: RepositorySql) => Promise<void>>,
): RepositorySql {
  const generatedBy = relative(ROOT, fileURLToPath(spec));
  let db: TestDataSource | undefined;
  let sql: SqlRecorder | undefined;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the repository SQL context is ready only inside a test');
    return value;
  };
  const context: RepositorySql = {
    get sql() {
      return ready(sql);
    },
    get db() {
      return ready(db);
    },
    record: async <T>(label: string, call: () => Promise<T>): Promise<T> => {
      let result: T | undefined;
      await context.sql.record(label, async () => {
        result = await call();
      });
      return result as T;
    },
    inTransaction: (label, call) => context.record(label, () => context.sql.dataSource.transaction(call)),
    rolledBack: async (calls) => {
      await expect(
        context.sql.dataSource.transaction(async (manager) => {
          await calls(manager);
          throw new RolledBack();
        }),
      ).rejects.toBeInstanceOf(RolledBack);
    },
    refused: (label, call) =>
      context.rolledBack((manager) => context.sql.record(label, () => call(manager).catch(() => undefined))),
    seedAccount: async (agencyKind = 'OTHER') => {
      const [agency] = await context.db.dataSource.query<{ id: string }[]>(
        `INSERT INTO agencies (name, kind) VALUES ('SQL spec agency', $1) RETURNING id`,
        [agencyKind],
      );
      const [user] = await context.db.dataSource.query<{ id: string }[]>(
        `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, 'sql.spec@example.test', 'Spec', '{PRACTITIONER}') RETURNING id`,
        [agency!.id],
      );
      return { agencyId: agency!.id, userId: user!.id };
    },
  };

  beforeAll(async () => {
    db = await createTestDataSource(1);
    sql = await createSqlRecorder(db.database.url);
  });
  afterAll(async () => {
    await sql?.close();
    await db?.close();
  });

  const sqlFolder = relative(ROOT, fileURLToPath(new URL('../sql/', spec)));
  describe(`the SQL of ${generatedBy}`, () => {
    for (const [name, issue] of Object.entries(files)) {
      it(`issues the statements committed in ${sqlFolder}/${name}.sql`, async () => {
        await issue(context);
        const { committed, current } = context.sql.compare(new URL(`../sql/${name}.sql`, spec), generatedBy);
        expect(committed).toBe(current);
      });
    }
  });
  return context;
}
