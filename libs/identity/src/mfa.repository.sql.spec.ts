import { randomBytes } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { MfaRepository } from './mfa.repository.js';

describeRepositorySql(import.meta.url, {
  'mfa.repository': async ({ sql, record, inTransaction, seedAccount }) => {
    const mfa = new MfaRepository(sql.dataSource);
    // Factors and recovery codes belong to a real account.
    const { userId } = await seedAccount();
    await inTransaction('MfaRepository.isEnrolled', (tx) => mfa.isEnrolled(tx, userId));
    await inTransaction('MfaRepository.upsertPending', (tx) => mfa.upsertPending(tx, userId, randomBytes(48)));
    await record('MfaRepository.findSecretBox', () => mfa.findSecretBox(userId, false));
    await record('MfaRepository.countAttempt', () => mfa.countAttempt(userId, 15));
    await inTransaction('MfaRepository.confirm', (tx) => mfa.confirm(tx, userId, 1000));
    await inTransaction('MfaRepository.replaceRecoveryCodes', (tx) =>
      mfa.replaceRecoveryCodes(tx, userId, [randomBytes(32), randomBytes(32)]),
    );
    await record('MfaRepository.useStep', () => mfa.useStep(userId, 1001));
    await record('MfaRepository.spendRecoveryCode', () => mfa.spendRecoveryCode(userId, randomBytes(32)));
    await inTransaction('MfaRepository.removeAll', (tx) => mfa.removeAll(tx, userId));
  },
});
