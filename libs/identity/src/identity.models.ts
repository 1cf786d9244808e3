import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from '@hearth/authz';
import { ConnectionType } from '@hearth/relay';
import { AgencyKind, UserStatus } from './identity.enums.js';

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

  @Field(() => ID, { nullable: true, description: "The user's line manager; a manager's team is everyone naming them" })
  managerId: string | null;
}

export const UserConnection = ConnectionType(UserModel, 'User');

@ObjectType('AuthPayload')
export class AuthPayloadModel {
  @Field(() => String)
  accessToken: string;

  @Field(() => String)
  refreshToken: string;

  @Field(() => Date, { description: 'When the access token expires; refresh before then' })
  accessTokenExpiresAt: Date;

  @Field(() => UserModel)
  user: UserModel;
}
