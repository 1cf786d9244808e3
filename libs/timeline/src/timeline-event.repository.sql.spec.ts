import { randomUUID } from 'node:crypto';
import { defineAbility, Role } from '@hearth/authz';
import { describeRepositorySql } from '@hearth/testing';
import { ReplyRepository } from './reply.repository.js';
import { SharingPolicyRepository } from './sharing-policy.repository.js';
import { EventKind, Severity, Visibility } from './timeline.enums.js';
import { TimelineEventRepository } from './timeline-event.repository.js';

/** A practitioner in one family's network: the filters as the ability writes them. */
const ability = defineAbility({
  principal: { userId: randomUUID(), agencyId: randomUUID(), roles: [Role.PRACTITIONER], sessionId: '' },
  memberOf: [randomUUID()],
  leads: [],
  grantedFor: [],
});

describeRepositorySql(import.meta.url, {
  'timeline-event.repository': async ({ sql, record, rolledBack, refused }) => {
    const events = new TimelineEventRepository(sql.dataSource);
    const manager = sql.dataSource.manager;
    const familyId = randomUUID();
    const at = new Date('2026-01-01T00:00:00Z');
    await record('TimelineEventRepository.countInWindow', () =>
      events.countInWindow(manager, {
        familyId,
        kinds: ['INJURY'],
        severityOrder: ['INFO', 'LOW', 'MEDIUM', 'HIGH'],
        minSeverity: 'MEDIUM',
        at,
        days: 30,
        shown: 50,
        unlessFirst: null,
      }),
    );
    await record('TimelineEventRepository.latestInWindow', () =>
      events.latestInWindow(manager, { familyId, kinds: ['INJURY'], exceptId: randomUUID(), at, days: 7 }),
    );
    await record('TimelineEventRepository.lastRecorded', () => events.lastRecorded(manager, [familyId]));
    const id = randomUUID();
    await rolledBack(async (m) => {
      await record('TimelineEventRepository.page (first page)', () => events.page(m, ability, familyId, undefined, 21));
      await record('TimelineEventRepository.page (after a cursor)', () =>
        events.page(m, ability, familyId, [at.toISOString(), id], 21),
      );
      await record('TimelineEventRepository.visible', () => events.visible(m, ability, [id]));
      await record('TimelineEventRepository.lockVisible', () => events.lockVisible(m, ability, id));
      await record('TimelineEventRepository.copySubjects', () => events.copySubjects(m, id, randomUUID()));
      await record('TimelineEventRepository.subjectsOfVisible', () => events.subjectsOfVisible(m, ability, [id]));
    });
    await refused('TimelineEventRepository.insert', (m) =>
      events.insert(m, {
        familyId,
        kind: EventKind.NOTE,
        severity: Severity.INFO,
        occurredAt: at,
        agencyId: randomUUID(),
        authorId: randomUUID(),
        visibility: Visibility.NETWORK,
        audienceUserIds: [],
        audienceAgencyIds: [],
        summary: 'A note',
        body: null,
        subjectIds: [randomUUID()],
      }),
    );
    await refused('TimelineEventRepository.insertAmendment', (m) =>
      events.insertAmendment(m, {
        originalId: id,
        severity: null,
        agencyId: randomUUID(),
        authorId: randomUUID(),
        summary: 'Corrected',
        replacesBody: false,
        body: null,
        reason: 'Wrong date',
      }),
    );
    await refused('TimelineEventRepository.acknowledge', (m) => events.acknowledge(m, familyId, id, randomUUID()));
    await record('TimelineEventRepository.acknowledgers', () => events.acknowledgers([id]));
  },

  'reply.repository': async ({ record, rolledBack, refused }) => {
    const replies = new ReplyRepository();
    const ids = [randomUUID()];
    await refused('ReplyRepository.insert', (m) =>
      replies.insert(m, {
        familyId: randomUUID(),
        eventId: ids[0]!,
        authorId: randomUUID(),
        agencyId: randomUUID(),
        body: 'Seen',
      }),
    );
    await rolledBack((m) => record('ReplyRepository.ofVisible', () => replies.ofVisible(m, ability, ids)));
  },

  'sharing-policy.repository': async ({ sql, record, refused }) => {
    const policies = new SharingPolicyRepository(sql.dataSource);
    const agencyId = randomUUID();
    await record('SharingPolicyRepository.ofAgency', () => policies.ofAgency(agencyId));
    await refused('SharingPolicyRepository.set', (m) => policies.set(m, agencyId, EventKind.NOTE, Visibility.NETWORK));
  },
});
