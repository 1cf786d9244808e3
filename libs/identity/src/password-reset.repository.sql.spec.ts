import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { PasswordResetRepository } from './password-reset.repository.js';

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

it('issues the statements committed in libs/identity/sql/password-reset.repository.sql', async () => {
  const resets = new PasswordResetRepository(sql.dataSource);
  // A reset token belongs to a real account.
  const [agency] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO agencies (name, kind) VALUES ('SQL spec agency', 'OTHER') RETURNING id`,
  );
  const [owner] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, 'sql.spec@example.test', 'Spec', '{PRACTITIONER}') RETURNING id`,
    [agency!.id],
  );
  const userId = owner!.id;
  await sql.record('PasswordResetRepository.voidOpen', () =>
    sql.dataSource.transaction((tx) => resets.voidOpen(tx, userId)),
  );
  await sql.record('PasswordResetRepository.insert', () =>
    sql.dataSource.transaction((tx) =>
      resets.insert(tx, { userId, issuedBy: userId, tokenHash: randomBytes(32), minutes: 30 }),
    ),
  );
  await sql.record('PasswordResetRepository.findByTokenHash', () => resets.findByTokenHash(randomBytes(32)));
  await sql.record('PasswordResetRepository.spend', () =>
    sql.dataSource.transaction((tx) => resets.spend(tx, randomUUID())),
  );

  const { committed, current } = sql.compare(
    new URL('../sql/password-reset.repository.sql', import.meta.url),
    'libs/identity/src/password-reset.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
