export { ACCESS_KEY, Authenticated, CurrentPrincipal, Public, RequireRoles, requestOf } from './access.decorators.js';
export type { AccessDeclaration, RequestWithPrincipal } from './access.decorators.js';
export { AccessGuard } from './access.guard.js';
export { ALL_ROLES, AUTHENTICATOR, DENIAL_RECORDER, Role } from './principal.js';
export type { Authenticator, DenialRecorder, Principal } from './principal.js';
export { undeclaredHandlers } from './declarations.js';
