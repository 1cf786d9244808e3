import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CASE_ROLES,
  defineAbility,
  perRequest,
  Role,
  type AccessFacts,
  type HearthAbility,
  type Principal,
} from '@hearth/authz';

const ABILITY = Symbol('ability');

/**
 * Builds the request's ability from what the database says now: active, unexpired network
 * memberships and unexpired access grants. Built once per request (keyed by the principal,
 * which lives exactly as long as the request).
 */
@Injectable()
export class AccessService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  abilityFor(principal: Principal, manager?: EntityManager): Promise<HearthAbility> {
    return perRequest(principal, ABILITY, () => this.build(principal, manager ?? this.dataSource.manager));
  }

  /** Families the user may read now: the check a replayed notification must pass again. */
  async readableFamilies(principal: Principal): Promise<readonly string[]> {
    const facts = await this.facts(principal, this.dataSource.manager);
    return [...facts.memberOf, ...facts.grantedFor];
  }

  async facts(principal: Principal, manager: EntityManager): Promise<AccessFacts> {
    if (!principal.roles.some((role) => CASE_ROLES.includes(role))) {
      return { principal, memberOf: [], leads: [], grantedFor: [] };
    }
    const rows: { family_id: string; decides: boolean; granted: boolean }[] = await manager.query(
      `SELECT family_id, bool_or(decides) AS decides, bool_and(granted) AS granted FROM (
         SELECT m.family_id, (m.role = 'LEAD' OR $2) AS decides, false AS granted
         FROM network_members m
         WHERE m.user_id = $1 AND m.removed_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())
         UNION ALL
         -- A manager works with their team's families (PRODUCT.md): the families their reports are members of.
         SELECT m.family_id, true, false
         FROM network_members m JOIN users u ON u.id = m.user_id
         WHERE $2 AND u.manager_id = $1 AND m.removed_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())
         UNION ALL
         SELECT g.family_id, false, true FROM access_grants g WHERE g.user_id = $1 AND g.expires_at > now()
       ) access GROUP BY family_id`,
      [principal.userId, principal.roles.includes(Role.MANAGER)],
    );
    return {
      principal,
      memberOf: rows.filter((r) => !r.granted).map((r) => r.family_id),
      leads: rows.filter((r) => r.decides && !r.granted).map((r) => r.family_id),
      grantedFor: rows.filter((r) => r.granted).map((r) => r.family_id),
    };
  }

  private async build(principal: Principal, manager: EntityManager): Promise<HearthAbility> {
    return defineAbility(await this.facts(principal, manager));
  }
}
