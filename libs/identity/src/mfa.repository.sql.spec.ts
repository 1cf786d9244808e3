import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { MfaRepository } from './mfa.repository.js';

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

it('issues the statements committed in libs/identity/sql/mfa.repository.sql', async () => {
  const mfa = new MfaRepository(sql.dataSource);
  // Factors and recovery codes belong to a real account.
  const [agency] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO agencies (name, kind) VALUES ('SQL spec agency', 'OTHER') RETURNING id`,
  );
  const [owner] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, 'sql.spec@example.test', 'Spec', '{PRACTITIONER}') RETURNING id`,
    [agency!.id],
  );
  const userId = owner!.id;
  await sql.record('MfaRepository.isEnrolled', () => sql.dataSource.transaction((tx) => mfa.isEnrolled(tx, userId)));
  await sql.record('MfaRepository.upsertPending', () =>
    sql.dataSource.transaction((tx) => mfa.upsertPending(tx, userId, randomBytes(48))),
  );
  await sql.record('MfaRepository.findSecretBox', () => mfa.findSecretBox(userId, false));
  await sql.record('MfaRepository.countAttempt', () => mfa.countAttempt(userId, 15));
  await sql.record('MfaRepository.confirm', () => sql.dataSource.transaction((tx) => mfa.confirm(tx, userId, 1000)));
  await sql.record('MfaRepository.replaceRecoveryCodes', () =>
    sql.dataSource.transaction((tx) => mfa.replaceRecoveryCodes(tx, userId, [randomBytes(32), randomBytes(32)])),
  );
  await sql.record('MfaRepository.useStep', () => mfa.useStep(userId, 1001));
  await sql.record('MfaRepository.spendRecoveryCode', () => mfa.spendRecoveryCode(userId, randomBytes(32)));
  await sql.record('MfaRepository.removeAll', () => sql.dataSource.transaction((tx) => mfa.removeAll(tx, userId)));

  const { committed, current } = sql.compare(
    new URL('../sql/mfa.repository.sql', import.meta.url),
    'libs/identity/src/mfa.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
