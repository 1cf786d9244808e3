import type { Principal } from '@hearth/authz';

/**
 * What the directory needs from higher libs: who must not be listed to a viewer. Network knows
 * who holds a sensitive role (a domestic-abuse service) and implements it; identity does not
 * depend on network. Required: without an implementation Hearth does not start.
 */
export interface DirectoryHooks {
  /** Of these users, those never to be listed to the viewer. */
  unlisted(viewer: Principal, userIds: readonly string[]): Promise<ReadonlySet<string>>;
}

export const DIRECTORY_HOOKS = Symbol('DIRECTORY_HOOKS');
