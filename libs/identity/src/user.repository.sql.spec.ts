import { randomUUID } from 'node:crypto';
import { Role } from '@hearth/authz';
import { describeRepositorySql } from '@hearth/testing';
import { UserRepository } from './user.repository.js';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA';

describeRepositorySql(import.meta.url, {
  'user.repository': async ({ sql, record, inTransaction, seedAccount }) => {
    const users = new UserRepository(sql.dataSource);
    const manager = sql.dataSource.manager;
    const id = randomUUID();
    await record('UserRepository.findById', () => users.findById(id, manager));
    await inTransaction('UserRepository.findById (locked)', (tx) => users.findById(id, tx, true));
    await record('UserRepository.findByEmail', () => users.findByEmail('sam@example.test', manager));
    await inTransaction('UserRepository.findWithCredential', (tx) => users.findWithCredential(id, tx, true));
    // setPassword writes a credential, which needs a real account.
    const { agencyId, userId } = await seedAccount();
    await inTransaction('UserRepository.emailTaken', (tx) => users.emailTaken(tx, 'sql.spec@example.test'));
    const created = await inTransaction('UserRepository.insert', (tx) =>
      users.insert(tx, {
        agencyId,
        email: 'sql.spec.new@example.test',
        displayName: 'New',
        jobTitle: null,
        phone: null,
        roles: [Role.PRACTITIONER],
        managerId: null,
        mustChangePassword: true,
      }),
    );
    await inTransaction('UserRepository.insertCredential', (tx) => users.insertCredential(tx, created, HASH));
    await inTransaction('UserRepository.setRoles', (tx) => users.setRoles(tx, id, [Role.MANAGER]));
    await inTransaction('UserRepository.disable', (tx) => users.disable(tx, id));
    await inTransaction('UserRepository.enable', (tx) => users.enable(tx, id));
    await inTransaction('UserRepository.requirePasswordChange', (tx) => users.requirePasswordChange(tx, id));
    await inTransaction('UserRepository.lockActiveHolders', (tx) =>
      users.lockActiveHolders(tx, Role.AGENCY_ADMIN, agencyId),
    );
    await inTransaction('UserRepository.isActiveManagerIn', (tx) => users.isActiveManagerIn(tx, id, agencyId));
    await inTransaction('UserRepository.setPassword', (tx) => users.setPassword(tx, userId, HASH));
    await inTransaction('UserRepository.updateContactCard', (tx) =>
      users.updateContactCard(tx, id, { jobTitle: 'Nurse', phone: null }),
    );
    await record('UserRepository.findEmail', () => users.findEmail(id));
    await record('UserRepository.page', () => users.page(randomUUID(), 'a@example.test', 20));
    await record('UserRepository.countOtherActiveHolders', () =>
      users.countOtherActiveHolders(manager, Role.AGENCY_ADMIN, id, randomUUID()),
    );
    await record('UserRepository.activeHolders', () => users.activeHolders(manager, Role.AUDITOR, [id]));
    await record('UserRepository.allActiveHolders', () => users.allActiveHolders(manager, Role.AUDITOR));
    await record('UserRepository.contacts', () => users.contacts(manager, [id]));
    await record('UserRepository.isActiveCaseWorker', () => users.isActiveCaseWorker(manager, id));
    await record('UserRepository.activeManagersOf', () => users.activeManagersOf(manager, [id]));
    await record('UserRepository.countExisting', () => users.countExisting(manager, [id]));
    await record('UserRepository.countExistingAgencies', () => users.countExistingAgencies(manager, [id]));
  },
});
