import { AccessGrantEntity } from './access-grant.entity.js';
import { FamilyMembershipEntity } from './family-membership.entity.js';
import { FamilyEntity } from './family.entity.js';
import { JoinRequestEntity } from './join-request.entity.js';
import { NetworkMemberEntity } from './network-member.entity.js';
import { PersonEntity } from './person.entity.js';

/** The tables network owns: only its SQL names them (checked by `npm run lint`). */
export const NETWORK_TABLES = [
  'families',
  'persons',
  'family_memberships',
  'network_members',
  'join_requests',
  'access_grants',
] as const;

/** One entity per table above. */
export const NETWORK_ENTITIES = [
  FamilyEntity,
  PersonEntity,
  FamilyMembershipEntity,
  NetworkMemberEntity,
  JoinRequestEntity,
  AccessGrantEntity,
];
