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
const FACTS = Symbol('facts');

/** The purpose a read is recorded with when only a break-glass grant let it through. */
export const BREAK_GLASS_READ = 'break-glass';

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

  /** What the database says about the principal's relationships now (once per request). */
  facts(principal: Principal, manager: EntityManager): Promise<AccessFacts> {
    return perRequest(principal, FACTS, () => this.load(principal, manager));
  }

  /** How a read of this family is to be recorded: tagged when it happens under break-glass. */
  async readPurpose(principal: Principal, familyId: string, manager: EntityManager): Promise<string | null> {
    const facts = await this.facts(principal, manager);
    return facts.grantedFor.includes(familyId) ? BREAK_GLASS_READ : null;
  }

  private async load(principal: Principal, manager: EntityManager): Promise<AccessFacts> {
    if (!principal.roles.some((role) => CASE_ROLES.includes(role))) {
      return { principal, memberOf: [], leads: [], grantedFor: [] };
    }
    return factsFrom(principal, await this.relationships.ofUser(manager, principal.userId));
  }

  private async build(principal: Principal, manager: EntityManager): Promise<HearthAbility> {
    return defineAbility(await this.facts(principal, manager));
  }
}
