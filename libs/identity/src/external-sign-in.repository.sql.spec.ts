import { randomBytes } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { ExternalSignInRepository } from './external-sign-in.repository.js';

describeRepositorySql(import.meta.url, {
  'external-sign-in.repository': async ({ sql, record, inTransaction, seedAccount }) => {
    const repo = new ExternalSignInRepository(sql.dataSource);
    const { agencyId, userId } = await seedAccount('POLICE');
    const now = new Date();
    const later = new Date(now.getTime() + 60_000);
    const issuer = 'https://idp.example.test';
    const state = randomBytes(32);
    const code = randomBytes(32);

    await inTransaction('ExternalSignInRepository.upsertProvider', (tx) =>
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
    );
    await record('ExternalSignInRepository.findProvider', () => repo.findProvider(agencyId));
    await record('ExternalSignInRepository.listProviders', () => repo.listProviders());
    await inTransaction('ExternalSignInRepository.passwordSignInAllowed', (tx) =>
      repo.passwordSignInAllowed(tx, agencyId),
    );
    await inTransaction('ExternalSignInRepository.insertAttempt', (tx) =>
      repo.insertAttempt(
        tx,
        { stateHash: state, agencyId, browserHash: randomBytes(32), nonce: 'n', codeVerifier: 'v' },
        now,
        later,
      ),
    );
    await inTransaction('ExternalSignInRepository.takeAttempt', (tx) => repo.takeAttempt(tx, state));
    await inTransaction('ExternalSignInRepository.findLinkBySubject', (tx) =>
      repo.findLinkBySubject(tx, issuer, 'sub-1'),
    );
    await inTransaction('ExternalSignInRepository.isLinked', (tx) => repo.isLinked(tx, userId, issuer));
    const linkId = await inTransaction('ExternalSignInRepository.insertLink', (tx) =>
      repo.insertLink(tx, userId, issuer, 'sub-1', now),
    );
    await inTransaction('ExternalSignInRepository.touchLink', (tx) => repo.touchLink(tx, linkId, now));
    await inTransaction('ExternalSignInRepository.insertHandoff', (tx) =>
      repo.insertHandoff(tx, { codeHash: code, userId, issuer }, now, later),
    );
    await inTransaction('ExternalSignInRepository.takeHandoff', (tx) => repo.takeHandoff(tx, code));
    await inTransaction('ExternalSignInRepository.removeProvider', (tx) => repo.removeProvider(tx, agencyId));
  },
});
