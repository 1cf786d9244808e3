import { randomBytes, randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { PasswordResetRepository } from './password-reset.repository.js';

describeRepositorySql(import.meta.url, {
  'password-reset.repository': async ({ sql, record, inTransaction, seedAccount }) => {
    const resets = new PasswordResetRepository(sql.dataSource);
    // A reset token belongs to a real account.
    const { userId } = await seedAccount();
    await inTransaction('PasswordResetRepository.voidOpen', (tx) => resets.voidOpen(tx, userId));
    await inTransaction('PasswordResetRepository.insert', (tx) =>
      resets.insert(tx, { userId, issuedBy: userId, tokenHash: randomBytes(32), minutes: 30 }),
    );
    await record('PasswordResetRepository.findByTokenHash', () => resets.findByTokenHash(randomBytes(32)));
    await inTransaction('PasswordResetRepository.spend', (tx) => resets.spend(tx, randomUUID()));
  },
});
