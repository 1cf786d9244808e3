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

/**
 * The views network owns: "who has a relationship with this family now", written once. Others
 * ask network's repositories; their SQL does not name these either.
 */
export const NETWORK_VIEWS = ['active_network_members', 'family_relationships'] as const;

/** One entity per table above. */
export const NETWORK_ENTITIES = [
  FamilyEntity,
  PersonEntity,
  FamilyMembershipEntity,
  NetworkMemberEntity,
  JoinRequestEntity,
  AccessGrantEntity,
];
