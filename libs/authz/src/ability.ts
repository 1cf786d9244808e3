import { AbilityBuilder, createMongoAbility, subject, type MongoAbility } from '@casl/ability';
import { Role, type Principal } from './principal.js';

/** Actions on case data. `read` of an event is its existence; `readContent` its summary and body. */
export type CaseAction = 'read' | 'readContent' | 'post' | 'reply' | 'acknowledge' | 'invite' | 'lead';
export type CaseSubject = 'Family' | 'TimelineEvent' | 'Person';

export type HearthAbility = MongoAbility<[CaseAction, CaseSubject | object]>;

/** What the database says about the principal's relationship with families, at request time. */
export interface AccessFacts {
  readonly principal: Principal;
  /** Families where the principal is an active, unexpired network member. */
  readonly memberOf: readonly string[];
  /** Families the principal leads, or may decide for as a manager. */
  readonly leads: readonly string[];
  /** Families reachable through an unexpired access grant (break-glass): read only. */
  readonly grantedFor: readonly string[];
}

/** Roles that work with families. The others never see case content, whatever else they hold. */
export const CASE_ROLES: readonly Role[] = [Role.PRACTITIONER, Role.MANAGER];

/**
 * One ability per request. Rules use conditions on plain columns only, so that the SQL
 * translator can express every one of them; nothing is granted on a role alone.
 */
export function defineAbility(facts: AccessFacts): HearthAbility {
  const { can, build } = new AbilityBuilder<HearthAbility>(createMongoAbility);
  const { principal } = facts;
  if (!principal.roles.some((role) => CASE_ROLES.includes(role))) return build();

  const members = [...facts.memberOf];
  const readable = [...new Set([...facts.memberOf, ...facts.grantedFor])];

  can('read', 'Family', { id: { $in: readable } });
  can('read', 'Person', { familyId: { $in: readable } });
  can('read', 'TimelineEvent', { familyId: { $in: readable } });
  can('readContent', 'TimelineEvent', { familyId: { $in: readable }, visibility: 'NETWORK' });
  can('readContent', 'TimelineEvent', {
    familyId: { $in: readable },
    visibility: 'AGENCY',
    agencyId: principal.agencyId,
  });
  can('readContent', 'TimelineEvent', { familyId: { $in: readable }, audienceUserIds: principal.userId });
  can('readContent', 'TimelineEvent', { familyId: { $in: readable }, audienceAgencyIds: principal.agencyId });
  can('readContent', 'TimelineEvent', { familyId: { $in: readable }, authorId: principal.userId });

  can('post', 'TimelineEvent', { familyId: { $in: members } });
  can('reply', 'TimelineEvent', { familyId: { $in: members } });
  can('acknowledge', 'TimelineEvent', { familyId: { $in: members } });
  can('invite', 'Family', { id: { $in: members } });
  can('lead', 'Family', { id: { $in: [...facts.leads] } });
  return build();
}

/** Whether the ability allows an action on one record (the same rules the SQL filter uses). */
export function allows(
  ability: HearthAbility,
  action: CaseAction,
  type: CaseSubject,
  record: Record<string, unknown>,
): boolean {
  return ability.can(action, subject(type, { ...record }));
}
