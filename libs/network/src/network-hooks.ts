import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export type MembershipChange = 'ADDED' | 'REMOVED' | 'LEAD_TRANSFERRED';

export interface MembershipChanged {
  readonly familyId: string;
  readonly userId: string;
  readonly change: MembershipChange;
}

export interface AccessGranted {
  readonly grantId: string;
  readonly familyId: string;
  readonly userId: string;
  readonly flagged: boolean;
}

/** Implemented by higher libs (alerts) to act inside the transaction that changed a network. */
export interface NetworkHooks {
  afterMembershipChanged(manager: EntityManager, change: MembershipChanged): Promise<void>;
  afterAccessGranted(manager: EntityManager, grant: AccessGranted): Promise<void>;
  afterAccessRevoked(manager: EntityManager, grant: AccessGranted): Promise<void>;
}

/** Where a higher lib registers its hooks (the network lib may not import it). */
@Injectable()
export class NetworkHookRegistry implements NetworkHooks {
  private readonly hooks: NetworkHooks[] = [];

  register(hooks: NetworkHooks): void {
    this.hooks.push(hooks);
  }

  async afterMembershipChanged(manager: EntityManager, change: MembershipChanged): Promise<void> {
    for (const hook of this.hooks) await hook.afterMembershipChanged(manager, change);
  }

  async afterAccessGranted(manager: EntityManager, grant: AccessGranted): Promise<void> {
    for (const hook of this.hooks) await hook.afterAccessGranted(manager, grant);
  }

  async afterAccessRevoked(manager: EntityManager, grant: AccessGranted): Promise<void> {
    for (const hook of this.hooks) await hook.afterAccessRevoked(manager, grant);
  }
}
