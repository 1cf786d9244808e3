import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '@hearth/authz';
import { ConnectionType } from '@hearth/pagination';
import { AgencyKind, LoginStep, UserStatus } from './identity.enums.js';

@ObjectType('Agency')
export class AgencyModel {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => AgencyKind)
  kind: AgencyKind;
}

@ObjectType('User')
export class UserModel {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  email: string;

  @Field(() => String)
  displayName: string;

  @Field(() => String, { nullable: true })
  jobTitle: string | null;

  @Field(() => String, { nullable: true })
  phone: string | null;

  @Field(() => [Role])
  roles: Role[];

  @Field(() => UserStatus)
  status: UserStatus;

  @Field(() => AgencyModel)
  agency: AgencyModel;

  @Field(() => String, { nullable: true, description: 'How to reach them, in their own words (a duty desk, hours)' })
  contactRoute: string | null;

  @Field(() => ID, { nullable: true, description: "The user's line manager; a manager's team is everyone naming them" })
  managerId: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether a second factor (an authenticator app) is set up: shown to the user themself and to an agency admin of their agency; null to anyone else',
  })
  mfaEnabled: boolean | null;
}

export const UserConnection = ConnectionType(UserModel, 'User');

@ObjectType('LoginChallenge', { description: 'A sign-in half done: answer it with completeLogin' })
export class LoginChallengeModel {
  @Field(() => String, { description: 'Short-lived; good for this sign-in only' })
  token: string;

  @Field(() => LoginStep)
  step: LoginStep;

  @Field(() => Date)
  expiresAt: Date;
}

@ObjectType('AuthPayload', {
  description: 'A session, or (when challenge is set) what the sign-in still needs; the tokens are then null',
})
export class AuthPayloadModel {
  @Field(() => String, { nullable: true })
  accessToken: string | null;

  @Field(() => String, { nullable: true })
  refreshToken: string | null;

  @Field(() => Date, { nullable: true, description: 'When the access token expires; refresh before then' })
  accessTokenExpiresAt: Date | null;

  @Field(() => UserModel, { nullable: true })
  user: UserModel | null;

  @Field(() => LoginChallengeModel, { nullable: true })
  challenge: LoginChallengeModel | null;
}

@ObjectType('PasswordReset', {
  description: 'Shown once: hand the token to its owner, who sets a new password with it before it expires',
})
export class PasswordResetModel {
  @Field(() => String)
  token: string;

  @Field(() => String, {
    description: "The web client's reset page with the token (in the fragment): hand this link to the account owner",
  })
  link: string;

  @Field(() => Date)
  expiresAt: Date;
}

@ObjectType('MfaEnrolment', {
  description: 'Shown once: add the secret to an authenticator app, then confirm with a code from it',
})
export class MfaEnrolmentModel {
  @Field(() => String, { description: 'Base32, to type in' })
  secret: string;

  @Field(() => String, { description: 'otpauth:// URI, for a QR code' })
  otpauthUri: string;
}

@ObjectType('DirectoryEntry', { description: 'A practitioner or manager to invite: a contact card, nothing more' })
export class DirectoryEntryModel {
  @Field(() => ID)
  userId: string;

  @Field(() => String)
  displayName: string;

  @Field(() => String, { nullable: true })
  jobTitle: string | null;

  @Field(() => String, { nullable: true })
  phone: string | null;

  @Field(() => String)
  email: string;

  @Field(() => String, { nullable: true })
  contactRoute: string | null;

  @Field(() => AgencyModel)
  agency: AgencyModel;

  @Field(() => [Role], { description: 'PRACTITIONER and/or MANAGER' })
  roles: Role[];
}
