import { randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { AlertStatus } from './alert.models.js';
import { AlertRepository } from './alert.repository.js';
import { ruleDefinitionSchema } from './rule-definition.js';
import { RuleRepository } from './rule.repository.js';

describeRepositorySql(import.meta.url, {
  'alert.repository': async ({ record, rolledBack, refused }) => {
    const alerts = new AlertRepository();
    const id = randomUUID();
    const familyId = randomUUID();
    const userId = randomUUID();
    const at = new Date('2026-01-01T00:00:00Z');
    // Statements that write need rows that exist: recorded on statements that fail on a foreign key.
    await refused('AlertRepository.insertUnlessDuplicate', (m) =>
      alerts.insertUnlessDuplicate(m, {
        familyId,
        ruleId: randomUUID(),
        ruleVersion: 1,
        rag: 'RED',
        dedupKey: `rule:${familyId}`,
        explanation: 'Rule "r" v1 (TRIGGER)',
        matchedEventIds: [],
        raisedAt: at,
        dueBy: at,
      }),
    );
    await refused('AlertRepository.addRecipients', (m) => alerts.addRecipients(m, id, familyId, [userId]));
    await refused('AlertRepository.addEscalationRecipients', (m) =>
      alerts.addEscalationRecipients(m, id, familyId, [userId]),
    );
    await refused('AlertRepository.recordAt', (m) =>
      alerts.recordAt(m, { alertId: id, familyId, at, change: 'RAISED', note: '1 recipient(s)' }),
    );
    await refused('AlertRepository.recordBy', (m) =>
      alerts.recordBy(m, { alertId: id, familyId, actorId: userId, change: 'RESOLVED', note: 'Done' }),
    );
    await rolledBack(async (manager) => {
      await record('AlertRepository.recipients', () => alerts.recipients(manager, id));
      await record('AlertRepository.addressedPairs', () => alerts.addressedPairs(manager, [id], [userId]));
      await record('AlertRepository.pageFor', () =>
        alerts.pageFor(manager, {
          userId,
          familyIds: [familyId],
          status: AlertStatus.OPEN,
          after: ['2026-01-01T00:00:00.000Z', id],
          limit: 21,
        }),
      );
      await record('AlertRepository.lockAddressedTo', () => alerts.lockAddressedTo(manager, id, userId, [familyId]));
      await record('AlertRepository.acknowledge', () => alerts.acknowledge(manager, id, userId));
      await record('AlertRepository.resolve', () => alerts.resolve(manager, id, userId, 'Done'));
      await record('AlertRepository.claimDue', () => alerts.claimDue(manager, at, 50));
      await record('AlertRepository.tryLockAbsenceRules', () => alerts.tryLockAbsenceRules(manager));
    });
  },

  'rule.repository': async ({ record, rolledBack, refused }) => {
    const rules = new RuleRepository();
    const id = randomUUID();
    const definition = ruleDefinitionSchema.parse({
      kind: 'SEQUENCE',
      first: ['MISSING_EPISODE'],
      then: ['INJURY'],
      withinDays: 7,
      rag: 'AMBER',
      recipients: ['LEAD'],
    });
    await rolledBack(async (manager) => {
      await record('RuleRepository.all', () => rules.all(manager));
      await record('RuleRepository.byIds', () => rules.byIds(manager, [id]));
      await record('RuleRepository.byId', () => rules.byId(manager, id));
      await record('RuleRepository.enabled', () => rules.enabled(manager));
      await record('RuleRepository.enabledFingerprint', () => rules.enabledFingerprint(manager));
      await record('RuleRepository.lockCurrentVersion', () => rules.lockCurrentVersion(manager, id));
      await record('RuleRepository.update', () => rules.update(manager, id, { name: 'r', version: 2, enabled: null }));
      await record('RuleRepository.setEnabled', () => rules.setEnabled(manager, id, false));
      await record('RuleRepository.insert', () => rules.insert(manager, { name: `r ${id}`, enabled: true }));
    });
    await refused('RuleRepository.insertVersion', (m) => rules.insertVersion(m, id, 2, definition, randomUUID()));
  },
});
