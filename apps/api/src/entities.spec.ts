import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@hearth/database';
import { createTestDataSource, type TestDataSource } from '@hearth/testing';
import { ENTITIES, TABLE_OWNERS } from './entities.js';

let db: TestDataSource;
let dataSource: DataSource;

beforeAll(async () => {
  db = await createTestDataSource(1);
  dataSource = new DataSource(dataSourceOptions(db.database.url, ENTITIES, 1));
  await dataSource.initialize();
});
afterAll(async () => {
  await dataSource.destroy();
  await db.close();
});

async function columnsOf(table: string): Promise<string[]> {
  const rows = await dataSource.query<{ column_name: string }[]>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
    [table],
  );
  return rows.map((row) => row.column_name).sort();
}

describe('entities and migrations', () => {
  it('agree: after every migration, TypeORM has no pending schema change', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('cover every table, each owned by exactly one lib, with one entity per owned table', async () => {
    const tables = await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'`,
    );
    const owned = Object.values(TABLE_OWNERS).flatMap((owner) => owner.tables);
    expect([...owned].sort()).toEqual(tables.map((row) => row.table_name).sort());
    expect(new Set(owned).size).toBe(owned.length);
    for (const [lib, owner] of Object.entries(TABLE_OWNERS)) {
      const mapped = owner.entities.map((entity) => dataSource.getMetadata(entity).tableName);
      expect({ lib, tables: [...mapped].sort() }).toEqual({ lib, tables: [...owner.tables].sort() });
    }
  });

  it('leave no view without an owning lib', async () => {
    const views = await dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.views WHERE table_schema = 'public'`,
    );
    const owned = Object.values(TABLE_OWNERS).flatMap((owner) => owner.views ?? []);
    expect([...owned].sort()).toEqual(views.map((row) => row.table_name).sort());
  });

  it('map every column of the tables TypeORM does not synchronise (all but their xid8 columns)', async () => {
    const unsynchronised = dataSource.entityMetadatas.filter((metadata) => !metadata.synchronize);
    expect(unsynchronised.map((metadata) => metadata.tableName).sort()).toEqual([
      'audit_entries',
      'audit_seals',
      'socket_io_attachments',
    ]);
    for (const metadata of unsynchronised) {
      const xid8 = await dataSource.query<{ column_name: string }[]>(
        `SELECT column_name FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = $1 AND udt_name = 'xid8'`,
        [metadata.tableName],
      );
      const expected = (await columnsOf(metadata.tableName)).filter(
        (column) => !xid8.some((row) => row.column_name === column),
      );
      expect({ table: metadata.tableName, columns: metadata.columns.map((c) => c.databaseName).sort() }).toEqual({
        table: metadata.tableName,
        columns: expected,
      });
    }
  });
});
