import { describe, expect, it } from '@jest/globals';
import type { EntityManager } from 'typeorm';
import { Role } from '@hearth/authz';
import type { UserRepository } from '@hearth/identity';
import type { RelationshipRepository, RelationshipRow } from '@hearth/network';
import { NotificationType } from '@hearth/realtime';
import type { AlertRepository } from './alert.repository.js';
import { knowingRelationships, NotificationAudienceService } from './notification-audience.service.js';

const FAMILY = '00000000-0000-4000-8000-00000000000f';
const OTHER_FAMILY = '00000000-0000-4000-8000-0000000000f2';
const LEAD = '00000000-0000-4000-8000-000000000001';
const MEMBER = '00000000-0000-4000-8000-000000000002';
const STRANGER = '00000000-0000-4000-8000-000000000003';

const row = (user_id: string, via: RelationshipRow['via']): RelationshipRow => ({
  family_id: FAMILY,
  user_id,
  agency_id: '00000000-0000-4000-8000-0000000000a1',
  agency_kind: 'SOCIAL_CARE' as RelationshipRow['agency_kind'],
  roles: [Role.PRACTITIONER],
  via,
});
const ROWS = [row(LEAD, 'LEAD'), row(MEMBER, 'MEMBER')];

/** A repository that answers with ROWS (filtered as the view would be) and counts its reads. */
function audience() {
  const reads: string[][] = [];
  const relationships = {
    ofFamilies: (_m: EntityManager, familyIds: readonly string[], userIds?: readonly string[]) => {
      reads.push([...familyIds]);
      return Promise.resolve(
        ROWS.filter((r) => familyIds.includes(r.family_id) && (!userIds || userIds.includes(r.user_id))),
      );
    },
  } as unknown as RelationshipRepository;
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not expected')) });
  const service = new NotificationAudienceService(relationships, unused as UserRepository, unused as AlertRepository);
  return { service, reads };
}

const posted = (familyId: string) => ({ type: NotificationType.EVENT_POSTED, familyId, eventId: 'e' });
const manager = (runner: object) => ({ queryRunner: runner }) as unknown as EntityManager;

describe('NotificationAudienceService with the relationships already read', () => {
  const checks = [LEAD, MEMBER, STRANGER].map((userId) => ({ userId, subject: posted(FAMILY) }));

  it('answers as from the view, without reading it again', async () => {
    const read = audience();
    const fresh = await read.service.allowed(manager({}), checks);
    expect(fresh).toEqual([true, true, false]);
    expect(read.reads).toHaveLength(1);

    const { service, reads } = audience();
    const m = manager({});
    const known = await knowingRelationships(m, FAMILY, ROWS, () => service.allowed(m, checks));
    expect(known).toEqual(fresh);
    expect(reads).toHaveLength(0);
  });

  it('reads the view for another family, or another transaction', async () => {
    const { service, reads } = audience();
    const m = manager({});
    const other = [{ userId: LEAD, subject: posted(OTHER_FAMILY) }];
    expect(await knowingRelationships(m, FAMILY, ROWS, () => service.allowed(m, other))).toEqual([false]);
    expect(reads).toEqual([[OTHER_FAMILY]]);
    expect(await knowingRelationships(m, FAMILY, ROWS, () => service.allowed(manager({}), checks))).toEqual([
      true,
      true,
      false,
    ]);
    expect(reads).toHaveLength(2);
  });
});
