import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { ExternalSignInRepository } from './external-sign-in.repository.js';

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

it('issues the statements committed in libs/identity/sql/external-sign-in.repository.sql', async () => {
  const repo = new ExternalSignInRepository(sql.dataSource);
  const [agency] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO agencies (name, kind) VALUES ('SQL spec agency', 'POLICE') RETURNING id`,
  );
  const [owner] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, 'sql.spec@example.test', 'Spec', '{PRACTITIONER}') RETURNING id`,
    [agency!.id],
  );
  const agencyId = agency!.id;
  const userId = owner!.id;
  const now = new Date();
  const later = new Date(now.getTime() + 60_000);
  const issuer = 'https://idp.example.test';
  const state = randomBytes(32);
  const code = randomBytes(32);

  await sql.record('ExternalSignInRepository.upsertProvider', () =>
    sql.dataSource.transaction((tx) =>
      repo.upsertProvider(tx, {
        agencyId,
        issuer,
        clientId: 'hearth',
        clientSecretEnv: 'SPEC_SECRET',
        emailClaim: 'email',
        allowedEmailDomains: ['example.test'],
        passwordSignIn: true,
        trustEmailWithoutVerifiedClaim: false,
      }),
    ),
  );
  await sql.record('ExternalSignInRepository.findProvider', () => repo.findProvider(agencyId));
  await sql.record('ExternalSignInRepository.listProviders', () => repo.listProviders());
  await sql.record('ExternalSignInRepository.passwordSignInAllowed', () =>
    sql.dataSource.transaction((tx) => repo.passwordSignInAllowed(tx, agencyId)),
  );
  await sql.record('ExternalSignInRepository.insertAttempt', () =>
    sql.dataSource.transaction((tx) =>
      repo.insertAttempt(
        tx,
        { stateHash: state, agencyId, browserHash: randomBytes(32), nonce: 'n', codeVerifier: 'v' },
        now,
        later,
      ),
    ),
  );
  await sql.record('ExternalSignInRepository.takeAttempt', () =>
    sql.dataSource.transaction((tx) => repo.takeAttempt(tx, state)),
  );
  await sql.record('ExternalSignInRepository.findLinkBySubject', () =>
    sql.dataSource.transaction((tx) => repo.findLinkBySubject(tx, issuer, 'sub-1')),
  );
  await sql.record('ExternalSignInRepository.isLinked', () =>
    sql.dataSource.transaction((tx) => repo.isLinked(tx, userId, issuer)),
  );
  let linkId = '';
  await sql.record('ExternalSignInRepository.insertLink', async () => {
    linkId = await sql.dataSource.transaction((tx) => repo.insertLink(tx, userId, issuer, 'sub-1', now));
  });
  await sql.record('ExternalSignInRepository.touchLink', () =>
    sql.dataSource.transaction((tx) => repo.touchLink(tx, linkId, now)),
  );
  await sql.record('ExternalSignInRepository.insertHandoff', () =>
    sql.dataSource.transaction((tx) => repo.insertHandoff(tx, { codeHash: code, userId, issuer }, now, later)),
  );
  await sql.record('ExternalSignInRepository.takeHandoff', () =>
    sql.dataSource.transaction((tx) => repo.takeHandoff(tx, code)),
  );
  await sql.record('ExternalSignInRepository.removeProvider', () =>
    sql.dataSource.transaction((tx) => repo.removeProvider(tx, agencyId)),
  );

  const { committed, current } = sql.compare(
    new URL('../sql/external-sign-in.repository.sql', import.meta.url),
    'libs/identity/src/external-sign-in.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
