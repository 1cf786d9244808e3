import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { AgencyRepository } from './agency.repository.js';
import { AgencyKind } from './identity.enums.js';

let db: TestDataSource;
let sql: SqlRecorder;

beforeAll(async () => {
  db = await createTestDataSource(1);
  sql = await createSqlRecorder(db.database.url);
});
afterAll(async () => {
  await sql.close();
  await db.close();
});

it('issues the statements committed in libs/identity/sql/agency.repository.sql', async () => {
  const agencies = new AgencyRepository(sql.dataSource);
  await sql.record('AgencyRepository.findByIds', () => agencies.findByIds([randomUUID()]));
  await sql.record('AgencyRepository.list', () => agencies.list());
  await sql.record('AgencyRepository.exists', () =>
    sql.dataSource.transaction((tx) => agencies.exists(tx, randomUUID())),
  );
  await sql.record('AgencyRepository.nameTaken', () =>
    sql.dataSource.transaction((tx) => agencies.nameTaken(tx, 'SQL spec agency')),
  );
  await sql.record('AgencyRepository.insert', () =>
    sql.dataSource.transaction((tx) => agencies.insert(tx, { name: 'SQL spec agency', kind: AgencyKind.OTHER })),
  );

  const { committed, current } = sql.compare(
    new URL('../sql/agency.repository.sql', import.meta.url),
    'libs/identity/src/agency.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
