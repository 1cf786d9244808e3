import { randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { FamilyRepository } from './family.repository.js';
import { GrantRepository } from './grant.repository.js';
import { JoinRequestRepository } from './join-request.repository.js';
import { MembershipRepository } from './membership.repository.js';
import { FamilyRole, GrantReviewOutcome, JoinRequestStatus, ProtectionStatus } from './network.enums.js';
import { PersonRepository } from './person.repository.js';

/** A filter as the ability's translator writes one, its parameters from `first`. */
const filter = (first: number) => ({ sql: `f.id = ANY($${first}::uuid[])`, params: [[randomUUID()]] });
const personFilter = (first: number) => ({ sql: `fm.family_id = ANY($${first}::uuid[])`, params: [[randomUUID()]] });

// Writes need rows that exist: they are recorded on statements that fail on a foreign key.
describeRepositorySql(import.meta.url, {
  'family.repository': async ({ record, rolledBack }) => {
    const families = new FamilyRepository();
    const id = randomUUID();
    await rolledBack(async (manager) => {
      await record('FamilyRepository.visible', () => families.visible(manager, id, filter(2)));
      await record('FamilyRepository.visible (locked)', () => families.visible(manager, id, filter(2), true));
      await record('FamilyRepository.visibleAmong', () => families.visibleAmong(manager, [id], filter(2)));
      await record('FamilyRepository.page', () =>
        families.page(manager, filter(4), ['2026-01-01T00:00:00.000Z', id], 21),
      );
      await record('FamilyRepository.referenceTaken', () => families.referenceTaken(manager, 'FAM-1'));
      await record('FamilyRepository.isOpen', () => families.isOpen(manager, id));
      await record('FamilyRepository.setProtectionStatus', () =>
        families.setProtectionStatus(manager, id, ProtectionStatus.CHILD_PROTECTION_PLAN),
      );
      await record('FamilyRepository.setLead', () => families.setLead(manager, id, randomUUID()));
      await record('FamilyRepository.protectionStatus', () => families.protectionStatus(manager, id));
      await record('FamilyRepository.protectionAndChildren', () =>
        families.protectionAndChildren(manager, {
          familyId: id,
          personIds: [randomUUID()],
          childUnderMonths: 12,
          at: new Date('2026-01-01T00:00:00Z'),
        }),
      );
      await record('FamilyRepository.openWithProtectionStatus', () =>
        families.openWithProtectionStatus(manager, [ProtectionStatus.CHILD_PROTECTION_PLAN]),
      );
    });
  },

  'membership.repository': async ({ sql, record, rolledBack, refused }) => {
    const memberships = new MembershipRepository(sql.dataSource);
    const familyId = randomUUID();
    const userId = randomUUID();
    await rolledBack(async (manager) => {
      await record('MembershipRepository.active', () => memberships.active(manager, [familyId]));
      await record('MembershipRepository.isActive', () => memberships.isActive(manager, familyId, userId));
      await record('MembershipRepository.closeExpired', () => memberships.closeExpired(manager, familyId, userId));
      await record('MembershipRepository.userIdFor', () => memberships.userIdFor(manager, familyId, userId));
      await record('MembershipRepository.setSensitivity', () =>
        memberships.setSensitivity(manager, familyId, userId, true, 'Through the lead'),
      );
      await record('MembershipRepository.remove', () => memberships.remove(manager, familyId, userId, userId));
      await record('MembershipRepository.handOverLead', () =>
        memberships.handOverLead(manager, familyId, userId, randomUUID()),
      );
    });
    await refused('MembershipRepository.insertLead', (m) => memberships.insertLead(m, familyId, userId));
    await refused('MembershipRepository.insertMember', (m) =>
      memberships.insertMember(m, { familyId, userId, addedBy: userId, expiresAt: null }),
    );
    await refused('MembershipRepository.insertMemberIfAbsent', (m) =>
      memberships.insertMemberIfAbsent(m, { familyId, userId, addedBy: userId }),
    );
    await record('MembershipRepository.cards', () => memberships.cards([[familyId, userId]]));
  },

  'person.repository': async ({ record, rolledBack, refused }) => {
    const persons = new PersonRepository();
    const familyId = randomUUID();
    await refused('PersonRepository.insert', (m) =>
      persons.insert(m, {
        givenName: 'Sam',
        familyName: 'Example',
        dateOfBirth: '2018-04-01',
        nhsNumber: null,
        schoolUpn: null,
        policeReference: null,
        address: null,
        addressWithheld: false,
        recordedByAgencyId: randomUUID(),
      }),
    );
    await refused('PersonRepository.addToFamily', (m) =>
      persons.addToFamily(m, { familyId, personId: randomUUID(), role: FamilyRole.CHILD, addedBy: randomUUID() }),
    );
    await rolledBack(async (manager) => {
      await record('PersonRepository.inFamily', () => persons.inFamily(manager, familyId, randomUUID()));
      await record('PersonRepository.ofFamilies', () => persons.ofFamilies(manager, [familyId], personFilter(2)));
      await record('PersonRepository.search', () => persons.search(manager, 'sam example', '2018-04-01'));
      await record('PersonRepository.countInFamily', () => persons.countInFamily(manager, familyId, [randomUUID()]));
    });
  },

  'grant.repository': async ({ record, rolledBack, refused }) => {
    const grants = new GrantRepository();
    const id = randomUUID();
    await rolledBack(async (manager) => {
      await record('GrantRepository.countRecent', () => grants.countRecent(manager, randomUUID()));
      await record('GrantRepository.review', () =>
        grants.review(manager, { id, outcome: GrantReviewOutcome.APPROPRIATE, note: 'Seen', reviewedBy: id }),
      );
      await record('GrantRepository.exists', () => grants.exists(manager, id));
      await record('GrantRepository.page', () => grants.page(manager, true, ['2026-01-01T00:00:00.000Z', id], 21));
    });
    await refused('GrantRepository.insert', (m) =>
      grants.insert(m, { familyId: id, userId: id, reason: 'An urgent welfare check', hours: 4, flagged: false }),
    );
  },

  'join-request.repository': async ({ record, rolledBack, refused }) => {
    const requests = new JoinRequestRepository();
    const id = randomUUID();
    await refused('JoinRequestRepository.insertPending', (m) =>
      requests.insertPending(m, { familyId: id, userId: id, reason: 'New to the case' }),
    );
    await rolledBack(async (manager) => {
      await record('JoinRequestRepository.lock', () => requests.lock(manager, id));
      await record('JoinRequestRepository.decide', () =>
        requests.decide(manager, id, JoinRequestStatus.APPROVED, randomUUID()),
      );
      await record('JoinRequestRepository.pending', () => requests.pending(manager, id));
    });
  },
});
