import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { SessionRepository } from './session.repository.js';

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

it('issues the statements committed in libs/identity/sql/session.repository.sql', async () => {
  const sessions = new SessionRepository(sql.dataSource);
  const id = randomUUID();
  // Sessions and refresh tokens belong to a real account.
  const [agency] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO agencies (name, kind) VALUES ('SQL spec agency', 'OTHER') RETURNING id`,
  );
  const [owner] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, 'sql.spec@example.test', 'Spec', '{PRACTITIONER}') RETURNING id`,
    [agency!.id],
  );
  const userId = owner!.id;
  let sessionId = '';
  await sql.record('SessionRepository.open', async () => {
    sessionId = await sql.dataSource.transaction((tx) => sessions.open(tx, userId, 3600, false));
  });
  await sql.record('SessionRepository.insertRefreshToken', () =>
    sql.dataSource.transaction((tx) => sessions.insertRefreshToken(tx, sessionId, randomBytes(32))),
  );
  await sql.record('SessionRepository.findRefreshTokenForUpdate', () =>
    sql.dataSource.transaction((tx) => sessions.findRefreshTokenForUpdate(tx, randomBytes(32))),
  );
  await sql.record('SessionRepository.markRefreshTokenUsed', () =>
    sql.dataSource.transaction((tx) => sessions.markRefreshTokenUsed(tx, id)),
  );
  await sql.record('SessionRepository.findForCheck', () => sessions.findForCheck(sessionId, userId));
  await sql.record('SessionRepository.markMfaVerified', () =>
    sql.dataSource.transaction((tx) => sessions.markMfaVerified(tx, sessionId)),
  );
  await sql.record('SessionRepository.revoke', () =>
    sql.dataSource.transaction((tx) => sessions.revoke(tx, sessionId, 'logout')),
  );
  await sql.record('SessionRepository.revokeOthers', () =>
    sql.dataSource.transaction((tx) => sessions.revokeOthers(tx, userId, sessionId, 'password changed')),
  );
  await sql.record('SessionRepository.revokeAll', () =>
    sql.dataSource.transaction((tx) => sessions.revokeAll(tx, userId, 'password reset')),
  );

  const { committed, current } = sql.compare(
    new URL('../sql/session.repository.sql', import.meta.url),
    'libs/identity/src/session.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
