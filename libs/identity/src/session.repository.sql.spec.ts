import { randomBytes, randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { SessionRepository } from './session.repository.js';

describeRepositorySql(import.meta.url, {
  'session.repository': async ({ sql, record, inTransaction, seedAccount }) => {
    const sessions = new SessionRepository(sql.dataSource);
    const id = randomUUID();
    // Sessions and refresh tokens belong to a real account.
    const { userId } = await seedAccount();
    const sessionId = await inTransaction('SessionRepository.open', (tx) => sessions.open(tx, userId, 3600, false));
    await inTransaction('SessionRepository.insertRefreshToken', (tx) =>
      sessions.insertRefreshToken(tx, sessionId, randomBytes(32)),
    );
    await inTransaction('SessionRepository.findRefreshTokenForUpdate', (tx) =>
      sessions.findRefreshTokenForUpdate(tx, randomBytes(32)),
    );
    await inTransaction('SessionRepository.markRefreshTokenUsed', (tx) => sessions.markRefreshTokenUsed(tx, id));
    await record('SessionRepository.findForCheck', () => sessions.findForCheck(sessionId, userId));
    // The facts' statement is another lib's (network's RelationshipRepository.ofUser): a stand-in here.
    await record('SessionRepository.findForCheckWithFacts (a stand-in for the facts)', () =>
      sessions.findForCheckWithFacts(sessionId, userId, 'SELECT $1::uuid AS user_id'),
    );
    await inTransaction('SessionRepository.markMfaVerified', (tx) => sessions.markMfaVerified(tx, sessionId));
    await inTransaction('SessionRepository.revoke', (tx) => sessions.revoke(tx, sessionId, 'logout'));
    await inTransaction('SessionRepository.revokeOthers', (tx) =>
      sessions.revokeOthers(tx, userId, sessionId, 'password changed'),
    );
    await inTransaction('SessionRepository.revokeAll', (tx) => sessions.revokeAll(tx, userId, 'password reset'));
  },
});
