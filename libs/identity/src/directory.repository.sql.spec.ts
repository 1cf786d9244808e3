import { randomUUID } from 'node:crypto';
import { Role } from '@hearth/authz';
import { describeRepositorySql } from '@hearth/testing';
import { DirectoryRepository } from './directory.repository.js';

describeRepositorySql(import.meta.url, {
  'directory.repository': async ({ sql, record, seedAccount }) => {
    const directory = new DirectoryRepository(sql.dataSource);
    await record('DirectoryRepository.search', () =>
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
    const { userId } = await seedAccount();
    await record('DirectoryRepository.countSearch', () => directory.countSearch(userId, 10));
  },
});
