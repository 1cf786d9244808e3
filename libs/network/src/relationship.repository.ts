import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { defineAbility, Role, type AccessFacts, type HearthAbility, type Principal } from '@hearth/authz';
import type { AgencyKind } from '@hearth/identity';
import { preparedQuery } from '@hearth/database';

/** How a user relates to a family now: their membership, their report's, or a grant. */
export type RelationshipVia = 'LEAD' | 'MEMBER' | 'MANAGER' | 'GRANT';

export interface RelationshipRow {
  family_id: string;
  user_id: string;
  agency_id: string;
  agency_kind: AgencyKind;
  roles: Role[];
  via: RelationshipVia;
}

const COLUMNS = 'family_id, user_id, agency_id, agency_kind, roles, via';
/** A user's relationships (`$1`): the ability's facts. */
export const RELATIONSHIPS_OF_USER = `SELECT ${COLUMNS} FROM family_relationships WHERE user_id = $1`;

/**
 * The one source of "who has a relationship with this family now" (the `family_relationships`
 * view): an active user holding a case role, whose membership is neither removed nor expired,
 * a manager of such a member, or the holder of an unexpired grant not found inappropriate. The
 * ability's facts, every fan-out, resume, escalation and delivery read it; nothing else repeats
 * the condition.
 */
@Injectable()
export class RelationshipRepository {
  ofUser(manager: EntityManager, userId: string): Promise<RelationshipRow[]> {
    return preparedQuery(manager, RELATIONSHIPS_OF_USER, [userId]);
  }

  /** Everyone related to these families now, or only the given users among them. */
  ofFamilies(
    manager: EntityManager,
    familyIds: readonly string[],
    userIds?: readonly string[],
  ): Promise<RelationshipRow[]> {
    return preparedQuery(
      manager,
      `SELECT ${COLUMNS} FROM family_relationships
       WHERE family_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR user_id = ANY($2::uuid[]))`,
      [familyIds, userIds ?? null],
    );
  }
}

/** The ability's facts for one user, from their relationship rows. */
export function factsFrom(principal: Principal, rows: readonly RelationshipRow[]): AccessFacts {
  const mine = rows.filter((r) => r.user_id === principal.userId);
  const manager = principal.roles.includes(Role.MANAGER);
  const memberOf = new Set(mine.filter((r) => r.via !== 'GRANT').map((r) => r.family_id));
  const leads = new Set(
    mine
      .filter((r) => r.via === 'LEAD' || r.via === 'MANAGER' || (r.via === 'MEMBER' && manager))
      .map((r) => r.family_id),
  );
  const grantedFor = new Set(
    mine.filter((r) => r.via === 'GRANT' && !memberOf.has(r.family_id)).map((r) => r.family_id),
  );
  return { principal, memberOf: [...memberOf], leads: [...leads], grantedFor: [...grantedFor] };
}

/**
 * The abilities of everyone related to the given families, as each would have it in a request of
 * their own now (limited to those families): what a doorbell, a replay or a delivery is checked
 * against, so that no channel decides access with logic of its own.
 */
export function abilitiesFrom(rows: readonly RelationshipRow[]): Map<string, HearthAbility> {
  const byUser = new Map<string, RelationshipRow[]>();
  for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row]);
  const abilities = new Map<string, HearthAbility>();
  for (const [userId, mine] of byUser) {
    const first = mine[0]!;
    const principal: Principal = { userId, agencyId: first.agency_id, roles: first.roles, sessionId: '' };
    abilities.set(userId, defineAbility(factsFrom(principal, mine)));
  }
  return abilities;
}
