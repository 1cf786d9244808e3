import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CASE_ROLES,
  defineAbility,
  perRequest,
  type AccessFacts,
  type FactsSource,
  type HearthAbility,
  type Principal,
} from '@hearth/authz';
import {
  factsFrom,
  RELATIONSHIPS_OF_USER,
  RelationshipRepository,
  type RelationshipRow,
} from './relationship.repository.js';

const ABILITY = Symbol('ability');
const FACTS = Symbol('facts');

/** The purpose a read is recorded with when only a break-glass grant let it through. */
export const BREAK_GLASS_READ = 'break-glass';

/**
 * Builds the request's ability from what the database says now (the relationship view). Built
 * once per request (keyed by the principal, which lives exactly as long as the request). As the
 * request's FactsSource, it has a query's facts read with its session check.
 */
@Injectable()
export class AccessService implements FactsSource {
  readonly statement = RELATIONSHIPS_OF_USER;

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

  /** The facts of the request, from the rows of `statement` read with the session check. */
  adopt(principal: Principal, rows: readonly Record<string, unknown>[]): void {
    void perRequest(principal, FACTS, () => Promise.resolve(factsOf(principal, rows as unknown as RelationshipRow[])));
  }

  private async load(principal: Principal, manager: EntityManager): Promise<AccessFacts> {
    if (!holdsCaseRole(principal)) return factsOf(principal, []);
    return factsOf(principal, await this.relationships.ofUser(manager, principal.userId));
  }

  private async build(principal: Principal, manager: EntityManager): Promise<HearthAbility> {
    return defineAbility(await this.facts(principal, manager));
  }
}

function holdsCaseRole(principal: Principal): boolean {
  return principal.roles.some((role) => CASE_ROLES.includes(role));
}

/** Without a case role (now: roles can change between requests), no family's facts count. */
function factsOf(principal: Principal, rows: readonly RelationshipRow[]): AccessFacts {
  return holdsCaseRole(principal) ? factsFrom(principal, rows) : { principal, memberOf: [], leads: [], grantedFor: [] };
}
