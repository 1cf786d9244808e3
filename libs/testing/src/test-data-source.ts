import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@hearth/database';
import { createTestDatabase, type TestDatabase } from './test-server.js';

export interface TestDataSource {
  readonly database: TestDatabase;
  /** Initialised, on the fresh database. */
  readonly dataSource: DataSource;
  /** Another pool on the same database, as a second process would have. */
  connect(poolSize?: number): Promise<DataSource>;
  /** Closes every pool opened here and drops the database. */
  close(): Promise<void>;
}

/**
 * A fresh migrated database (cloned from the template) with a TypeORM data source on it, for a
 * lib's integration specs that need no app.
 */
export async function createTestDataSource(poolSize = 4): Promise<TestDataSource> {
  const database = await createTestDatabase();
  const pools: DataSource[] = [];
  const connect = async (size = poolSize): Promise<DataSource> => {
    const dataSource = new DataSource(dataSourceOptions(database.url, [], size));
    await dataSource.initialize();
    pools.push(dataSource);
    return dataSource;
  };
  const dataSource = await connect();
  return {
    database,
    dataSource,
    connect,
    async close() {
      await Promise.all(pools.map((pool) => pool.destroy()));
      await database.drop();
    },
  };
}
