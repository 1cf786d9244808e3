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

/** The network's domain events, published inside the transaction that changed a network. */
declare module '@hearth/database' {
  interface DomainEventMap {
    'network.membership-changed': MembershipChanged;
    'network.access-granted': AccessGranted;
    /** A break-glass grant reviewed INAPPROPRIATE: it no longer counts. */
    'network.access-revoked': AccessGranted;
  }
}
