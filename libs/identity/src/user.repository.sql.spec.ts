import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Role } from '@hearth/authz';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { UserRepository } from './user.repository.js';

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

it('issues the statements committed in libs/identity/sql/user.repository.sql', async () => {
  const users = new UserRepository(sql.dataSource);
  const manager = sql.dataSource.manager;
  const id = randomUUID();
  await sql.record('UserRepository.findById', () => users.findById(id, manager));
  await sql.record('UserRepository.findById (locked)', () =>
    sql.dataSource.transaction((tx) => users.findById(id, tx, true)),
  );
  await sql.record('UserRepository.findByEmail', () => users.findByEmail('sam@example.test', manager));
  await sql.record('UserRepository.findWithCredential', () =>
    sql.dataSource.transaction((tx) => users.findWithCredential(id, tx, true)),
  );
  // setPassword writes a credential, which needs a real account.
  const [agency] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO agencies (name, kind) VALUES ('SQL spec agency', 'OTHER') RETURNING id`,
  );
  const [owner] = await db.dataSource.query<{ id: string }[]>(
    `INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, 'sql.spec@example.test', 'Spec', '{PRACTITIONER}') RETURNING id`,
    [agency!.id],
  );
  await sql.record('UserRepository.emailTaken', () =>
    sql.dataSource.transaction((tx) => users.emailTaken(tx, 'sql.spec@example.test')),
  );
  let created = '';
  await sql.record('UserRepository.insert', async () => {
    created = await sql.dataSource.transaction((tx) =>
      users.insert(tx, {
        agencyId: agency!.id,
        email: 'sql.spec.new@example.test',
        displayName: 'New',
        jobTitle: null,
        phone: null,
        roles: [Role.PRACTITIONER],
        managerId: null,
        mustChangePassword: true,
      }),
    );
  });
  await sql.record('UserRepository.insertCredential', () =>
    sql.dataSource.transaction((tx) =>
      users.insertCredential(tx, created, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'),
    ),
  );
  await sql.record('UserRepository.setRoles', () =>
    sql.dataSource.transaction((tx) => users.setRoles(tx, id, [Role.MANAGER])),
  );
  await sql.record('UserRepository.disable', () => sql.dataSource.transaction((tx) => users.disable(tx, id)));
  await sql.record('UserRepository.enable', () => sql.dataSource.transaction((tx) => users.enable(tx, id)));
  await sql.record('UserRepository.requirePasswordChange', () =>
    sql.dataSource.transaction((tx) => users.requirePasswordChange(tx, id)),
  );
  await sql.record('UserRepository.lockActiveHolders', () =>
    sql.dataSource.transaction((tx) => users.lockActiveHolders(tx, Role.AGENCY_ADMIN, agency!.id)),
  );
  await sql.record('UserRepository.isActiveManagerIn', () =>
    sql.dataSource.transaction((tx) => users.isActiveManagerIn(tx, id, agency!.id)),
  );
  await sql.record('UserRepository.setPassword', () =>
    sql.dataSource.transaction((tx) =>
      users.setPassword(tx, owner!.id, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'),
    ),
  );
  await sql.record('UserRepository.updateContactCard', () =>
    sql.dataSource.transaction((tx) => users.updateContactCard(tx, id, { jobTitle: 'Nurse', phone: null })),
  );
  await sql.record('UserRepository.findEmail', () => users.findEmail(id));
  await sql.record('UserRepository.page', () => users.page(randomUUID(), 'a@example.test', 20));
  await sql.record('UserRepository.countOtherActiveHolders', () =>
    users.countOtherActiveHolders(manager, Role.AGENCY_ADMIN, id, randomUUID()),
  );
  await sql.record('UserRepository.activeHolders', () => users.activeHolders(manager, Role.AUDITOR, [id]));
  await sql.record('UserRepository.allActiveHolders', () => users.allActiveHolders(manager, Role.AUDITOR));
  await sql.record('UserRepository.contacts', () => users.contacts(manager, [id]));
  await sql.record('UserRepository.isActiveCaseWorker', () => users.isActiveCaseWorker(manager, id));
  await sql.record('UserRepository.activeManagersOf', () => users.activeManagersOf(manager, [id]));
  await sql.record('UserRepository.countExisting', () => users.countExisting(manager, [id]));
  await sql.record('UserRepository.countExistingAgencies', () => users.countExistingAgencies(manager, [id]));

  const { committed, current } = sql.compare(
    new URL('../sql/user.repository.sql', import.meta.url),
    'libs/identity/src/user.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
