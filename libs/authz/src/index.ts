export {
  ACCESS_KEY,
  Authenticated,
  CurrentPrincipal,
  Public,
  RequireRoles,
  requestOf,
  requestPrincipal,
} from './access.decorators.js';
export type { AccessDeclaration, RequestWithPrincipal } from './access.decorators.js';
export { AccessGuard } from './access.guard.js';
export { ALL_ROLES, AUTHENTICATOR, DENIAL_RECORDER, FACTS_SOURCE, Role } from './principal.js';
export type { Authenticator, Denial, DenialRecorder, FactsSource, Principal } from './principal.js';
export { RefusalInterceptor } from './refusal.interceptor.js';
export { undeclaredHandlers } from './declarations.js';
export { allows, CASE_ROLES, defineAbility } from './ability.js';
export type { AccessFacts, CaseAction, CaseSubject, HearthAbility } from './ability.js';
export { abilityToSql, UntranslatableRuleError } from './ability-sql.js';
export type { ColumnRef, FieldMap, SqlCondition } from './ability-sql.js';
export { perRequest } from './request-scope.js';
