import { registerEnumType } from '@nestjs/graphql';

export enum FamilyStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
export enum ProtectionStatus {
  NONE = 'NONE',
  EARLY_HELP = 'EARLY_HELP',
  CHILD_IN_NEED = 'CHILD_IN_NEED',
  CHILD_PROTECTION_PLAN = 'CHILD_PROTECTION_PLAN',
  LOOKED_AFTER = 'LOOKED_AFTER',
}
export enum FamilyRole {
  CHILD = 'CHILD',
  PARENT = 'PARENT',
  CARER = 'CARER',
  SIBLING = 'SIBLING',
  RELATIVE = 'RELATIVE',
  OTHER_ADULT = 'OTHER_ADULT',
  PERSON_OF_CONCERN = 'PERSON_OF_CONCERN',
}
export enum NetworkRole {
  LEAD = 'LEAD',
  MEMBER = 'MEMBER',
}
export enum JoinRequestStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  DECLINED = 'DECLINED',
}
export enum GrantReviewOutcome {
  APPROPRIATE = 'APPROPRIATE',
  INAPPROPRIATE = 'INAPPROPRIATE',
}
registerEnumType(FamilyStatus, { name: 'FamilyStatus' });
registerEnumType(ProtectionStatus, { name: 'ProtectionStatus' });
registerEnumType(FamilyRole, { name: 'FamilyRole' });
registerEnumType(NetworkRole, { name: 'NetworkRole' });
registerEnumType(JoinRequestStatus, { name: 'JoinRequestStatus' });
registerEnumType(GrantReviewOutcome, { name: 'GrantReviewOutcome' });
