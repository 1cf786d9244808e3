import { registerEnumType } from '@nestjs/graphql';

export enum AgencyKind {
  SOCIAL_CARE = 'SOCIAL_CARE',
  POLICE = 'POLICE',
  HEALTH = 'HEALTH',
  EDUCATION = 'EDUCATION',
  HOUSING = 'HOUSING',
  PROBATION = 'PROBATION',
  YOUTH_JUSTICE = 'YOUTH_JUSTICE',
  VOLUNTARY = 'VOLUNTARY',
  OTHER = 'OTHER',
}
registerEnumType(AgencyKind, { name: 'AgencyKind' });

export enum UserStatus {
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
}
registerEnumType(UserStatus, { name: 'UserStatus' });
