import type { Principal } from '@hearth/authz';

/** Implemented by the network lib: the families a user may read now (re-checked on resume). */
export interface ReplayAccess {
  readableFamilies(principal: Principal): Promise<readonly string[]>;
}
export const REPLAY_ACCESS = Symbol('REPLAY_ACCESS');
