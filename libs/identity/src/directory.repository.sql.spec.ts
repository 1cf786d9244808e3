import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Role } from '@hearth/authz';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { DirectoryRepository } from './directory.repository.js';

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

it('issues the statements committed in libs/identity/sql/directory.repository.sql', async () => {
  const directory = new DirectoryRepository(sql.dataSource);
  await sql.record('DirectoryRepository.search', () =>
    directory.search({
      listedRoles: [Role.PRACTITIONER, Role.MANAGER],
      exceptUserId: randomUUID(),
      agencyId: randomUUID(),
      role: Role.MANAGER,
      pattern: '%sam%',
      limit: 40,
    }),
  );
  // The count is kept per user, so it needs a real account.
  const [agency] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO agencies (name, kind) VALUES ('SQL spec agency', 'OTHER') RETURNING id`,
  );
  const [owner] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, 'sql.spec@example.test', 'Spec', '{PRACTITIONER}') RETURNING id`,
    [agency!.id],
  );
  await sql.record('DirectoryRepository.countSearch', () => directory.countSearch(owner!.id, 10));

  const { committed, current } = sql.compare(
    new URL('../sql/directory.repository.sql', import.meta.url),
    'libs/identity/src/directory.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
