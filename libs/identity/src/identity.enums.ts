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

/** What a sign-in still needs before it yields a session. */
export enum LoginStep {
  /** A code from the user's authenticator app, or a recovery code. */
  MFA_CODE = 'MFA_CODE',
  /** A new password: an admin reset the account, or chose its first password. */
  PASSWORD_CHANGE = 'PASSWORD_CHANGE',
}
registerEnumType(LoginStep, { name: 'LoginStep', description: 'What a sign-in still needs' });
