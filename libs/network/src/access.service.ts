import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CASE_ROLES,
  defineAbility,
  perRequest,
  type AccessFacts,
  type HearthAbility,
  type Principal,
} from '@hearth/authz';
import { factsFrom, RelationshipRepository } from './relationship.repository.js';

const ABILITY = Symbol('ability');

/**
 * Builds the request's ability from what the database says now (the relationship view). Built
 * once per request (keyed by the principal, which lives exactly as long as the request).
 */
@Injectable()
export class AccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly relationships: RelationshipRepository,
  ) {}

  abilityFor(principal: Principal, manager?: EntityManager): Promise<HearthAbility> {
    return perRequest(principal, ABILITY, () => this.build(principal, manager ?? this.dataSource.manager));
  }

  /** Families the user may read now. */
  async readableFamilies(principal: Principal, manager?: EntityManager): Promise<readonly string[]> {
    const facts = await this.facts(principal, manager ?? this.dataSource.manager);
    return [...facts.memberOf, ...facts.grantedFor];
  }

  async facts(principal: Principal, manager: EntityManager): Promise<AccessFacts> {
    if (!principal.roles.some((role) => CASE_ROLES.includes(role))) {
      return { principal, memberOf: [], leads: [], grantedFor: [] };
    }
    return factsFrom(principal, await this.relationships.ofUser(manager, principal.userId));
  }

  private async build(principal: Principal, manager: EntityManager): Promise<HearthAbility> {
    return defineAbility(await this.facts(principal, manager));
  }
}
