import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { FamilyRepository } from './family.repository.js';
import { GrantRepository } from './grant.repository.js';
import { JoinRequestRepository } from './join-request.repository.js';
import { MembershipRepository } from './membership.repository.js';
import { FamilyRole, GrantReviewOutcome, JoinRequestStatus, ProtectionStatus } from './network.enums.js';
import { PersonRepository } from './person.repository.js';

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

class RolledBack extends Error {}

/** Runs the calls in one transaction that is rolled back: nothing is left behind. */
async function rolledBack(calls: (manager: EntityManager) => Promise<void>): Promise<void> {
  await expect(
    sql.dataSource.transaction(async (manager) => {
      await calls(manager);
      throw new RolledBack();
    }),
  ).rejects.toBeInstanceOf(RolledBack);
}

/** A filter as the ability's translator writes one, its parameters from `first`. */
const filter = (first: number) => ({ sql: `f.id = ANY($${first}::uuid[])`, params: [[randomUUID()]] });
const personFilter = (first: number) => ({ sql: `fm.family_id = ANY($${first}::uuid[])`, params: [[randomUUID()]] });

function compare(name: string): void {
  const { committed, current } = sql.compare(
    new URL(`../sql/${name}.sql`, import.meta.url),
    'libs/network/src/repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
}

it('issues the statements committed in libs/network/sql/family.repository.sql', async () => {
  const families = new FamilyRepository();
  const id = randomUUID();
  await rolledBack(async (manager) => {
    await sql.record('FamilyRepository.visible', () => families.visible(manager, id, filter(2)));
    await sql.record('FamilyRepository.visible (locked)', () => families.visible(manager, id, filter(2), true));
    await sql.record('FamilyRepository.visibleAmong', () => families.visibleAmong(manager, [id], filter(2)));
    await sql.record('FamilyRepository.page', () =>
      families.page(manager, filter(4), ['2026-01-01T00:00:00.000Z', id], 21),
    );
    await sql.record('FamilyRepository.referenceTaken', () => families.referenceTaken(manager, 'FAM-1'));
    await sql.record('FamilyRepository.isOpen', () => families.isOpen(manager, id));
    await sql.record('FamilyRepository.setProtectionStatus', () =>
      families.setProtectionStatus(manager, id, ProtectionStatus.CHILD_PROTECTION_PLAN),
    );
    await sql.record('FamilyRepository.setLead', () => families.setLead(manager, id, randomUUID()));
    await sql.record('FamilyRepository.protectionStatus', () => families.protectionStatus(manager, id));
    await sql.record('FamilyRepository.protectionAndChildren', () =>
      families.protectionAndChildren(manager, {
        familyId: id,
        personIds: [randomUUID()],
        childUnderMonths: 12,
        at: new Date('2026-01-01T00:00:00Z'),
      }),
    );
    await sql.record('FamilyRepository.openWithProtectionStatus', () =>
      families.openWithProtectionStatus(manager, [ProtectionStatus.CHILD_PROTECTION_PLAN]),
    );
  });
  compare('family.repository');
});

it('issues the statements committed in libs/network/sql/membership.repository.sql', async () => {
  const memberships = new MembershipRepository(sql.dataSource);
  const familyId = randomUUID();
  const userId = randomUUID();
  await rolledBack(async (manager) => {
    await sql.record('MembershipRepository.active', () => memberships.active(manager, [familyId]));
    await sql.record('MembershipRepository.isActive', () => memberships.isActive(manager, familyId, userId));
    await sql.record('MembershipRepository.closeExpired', () => memberships.closeExpired(manager, familyId, userId));
    await sql.record('MembershipRepository.userIdFor', () => memberships.userIdFor(manager, familyId, userId));
    await sql.record('MembershipRepository.setSensitivity', () =>
      memberships.setSensitivity(manager, familyId, userId, true, 'Through the lead'),
    );
    await sql.record('MembershipRepository.remove', () => memberships.remove(manager, familyId, userId, userId));
    await sql.record('MembershipRepository.handOverLead', () =>
      memberships.handOverLead(manager, familyId, userId, randomUUID()),
    );
  });
  // Inserts need a family and a user that exist: recorded on statements that fail on the foreign key.
  for (const [label, call] of [
    ['MembershipRepository.insertLead', (m: EntityManager) => memberships.insertLead(m, familyId, userId)],
    [
      'MembershipRepository.insertMember',
      (m: EntityManager) => memberships.insertMember(m, { familyId, userId, addedBy: userId, expiresAt: null }),
    ],
    [
      'MembershipRepository.insertMemberIfAbsent',
      (m: EntityManager) => memberships.insertMemberIfAbsent(m, { familyId, userId, addedBy: userId }),
    ],
  ] as const)
    await rolledBack((m) => sql.record(label, () => call(m).catch(() => undefined)));
  await sql.record('MembershipRepository.cards', () => memberships.cards([[familyId, userId]]));
  compare('membership.repository');
});

it('issues the statements committed in libs/network/sql/person.repository.sql', async () => {
  const persons = new PersonRepository();
  const familyId = randomUUID();
  await rolledBack(async (manager) => {
    await sql.record('PersonRepository.insert', () =>
      persons
        .insert(manager, {
          givenName: 'Sam',
          familyName: 'Example',
          dateOfBirth: '2018-04-01',
          nhsNumber: null,
          schoolUpn: null,
          policeReference: null,
          address: null,
          addressWithheld: false,
          recordedByAgencyId: randomUUID(),
        })
        .catch(() => undefined),
    );
  });
  await rolledBack((manager) =>
    sql.record('PersonRepository.addToFamily', () =>
      persons
        .addToFamily(manager, { familyId, personId: randomUUID(), role: FamilyRole.CHILD, addedBy: randomUUID() })
        .catch(() => undefined),
    ),
  );
  await rolledBack(async (manager) => {
    await sql.record('PersonRepository.inFamily', () => persons.inFamily(manager, familyId, randomUUID()));
    await sql.record('PersonRepository.ofFamilies', () => persons.ofFamilies(manager, [familyId], personFilter(2)));
    await sql.record('PersonRepository.search', () => persons.search(manager, 'sam example', '2018-04-01'));
    await sql.record('PersonRepository.countInFamily', () => persons.countInFamily(manager, familyId, [randomUUID()]));
  });
  compare('person.repository');
});

it('issues the statements committed in libs/network/sql/grant.repository.sql', async () => {
  const grants = new GrantRepository();
  const id = randomUUID();
  await rolledBack(async (manager) => {
    await sql.record('GrantRepository.countRecent', () => grants.countRecent(manager, randomUUID()));
    await sql.record('GrantRepository.review', () =>
      grants.review(manager, { id, outcome: GrantReviewOutcome.APPROPRIATE, note: 'Seen', reviewedBy: id }),
    );
    await sql.record('GrantRepository.exists', () => grants.exists(manager, id));
    await sql.record('GrantRepository.page', () => grants.page(manager, true, ['2026-01-01T00:00:00.000Z', id], 21));
  });
  await rolledBack((manager) =>
    sql.record('GrantRepository.insert', () =>
      grants
        .insert(manager, { familyId: id, userId: id, reason: 'An urgent welfare check', hours: 4, flagged: false })
        .catch(() => undefined),
    ),
  );
  compare('grant.repository');
});

it('issues the statements committed in libs/network/sql/join-request.repository.sql', async () => {
  const requests = new JoinRequestRepository();
  const id = randomUUID();
  await rolledBack((manager) =>
    sql.record('JoinRequestRepository.insertPending', () =>
      requests.insertPending(manager, { familyId: id, userId: id, reason: 'New to the case' }).catch(() => undefined),
    ),
  );
  await rolledBack(async (manager) => {
    await sql.record('JoinRequestRepository.lock', () => requests.lock(manager, id));
    await sql.record('JoinRequestRepository.decide', () =>
      requests.decide(manager, id, JoinRequestStatus.APPROVED, randomUUID()),
    );
    await sql.record('JoinRequestRepository.pending', () => requests.pending(manager, id));
  });
  compare('join-request.repository');
});
