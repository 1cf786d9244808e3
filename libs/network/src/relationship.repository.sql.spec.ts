import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { RelationshipRepository } from './relationship.repository.js';

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

it('issues the statements committed in libs/network/sql/relationship.repository.sql', async () => {
  const relationships = new RelationshipRepository();
  const manager = sql.dataSource.manager;
  await sql.record('RelationshipRepository.ofUser', () => relationships.ofUser(manager, randomUUID()));
  await sql.record('RelationshipRepository.ofFamilies', () => relationships.ofFamilies(manager, [randomUUID()]));
  await sql.record('RelationshipRepository.ofFamilies (some users)', () =>
    relationships.ofFamilies(manager, [randomUUID()], [randomUUID()]),
  );
  const { committed, current } = sql.compare(
    new URL('../sql/relationship.repository.sql', import.meta.url),
    'libs/network/src/relationship.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
