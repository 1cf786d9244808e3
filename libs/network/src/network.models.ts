import { Field, ID, ObjectType } from '@nestjs/graphql';
import { AgencyModel } from '@hearth/identity';
import { ConnectionType, LocalDateScalar } from '@hearth/pagination';
import {
  FamilyRole,
  FamilyStatus,
  GrantReviewOutcome,
  JoinRequestStatus,
  NetworkRole,
  ProtectionStatus,
} from './network.enums.js';

@ObjectType('ContactCard', {
  description: 'How to reach a practitioner. Agency is null when their role in this network is sensitive.',
})
export class ContactCardModel {
  @Field(() => ID)
  userId: string;

  @Field(() => String)
  displayName: string;

  @Field(() => String, { nullable: true })
  jobTitle: string | null;

  @Field(() => String, { nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true })
  email: string | null;

  @Field(() => AgencyModel, { nullable: true })
  agency: AgencyModel | null;

  @Field(() => String, { nullable: true, description: 'How to reach a practitioner whose role is sensitive' })
  contactRoute: string | null;
}

@ObjectType('NetworkMember')
export class NetworkMemberModel {
  @Field(() => ContactCardModel)
  user: ContactCardModel;

  @Field(() => NetworkRole)
  role: NetworkRole;

  @Field(() => Date)
  addedAt: Date;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;
}

@ObjectType('Person')
export class PersonModel {
  @Field(() => ID)
  id: string;

  /** Not a GraphQL field: the family through which this person was reached. */
  familyId: string;

  @Field(() => FamilyRole)
  role: FamilyRole;

  @Field(() => String)
  givenName: string;

  @Field(() => String)
  familyName: string;

  @Field(() => LocalDateScalar, { nullable: true })
  dateOfBirth: string | null;

  @Field(() => String, { nullable: true })
  nhsNumber: string | null;

  @Field(() => String, { nullable: true })
  schoolUpn: string | null;

  @Field(() => String, { nullable: true })
  policeReference: string | null;

  @Field(() => String, { nullable: true, description: 'Null when withheld from the caller' })
  address: string | null;

  @Field(() => Boolean, { description: 'True when an address is held but withheld from the caller' })
  addressWithheld: boolean;
}

@ObjectType('Family')
export class FamilyModel {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  reference: string;

  @Field(() => FamilyStatus)
  status: FamilyStatus;

  @Field(() => ProtectionStatus)
  protectionStatus: ProtectionStatus;

  /** Resolved by a field resolver. */
  leadUserId: string;

  @Field(() => Date)
  createdAt: Date;
}

export const FamilyConnection = ConnectionType(FamilyModel, 'Family');

@ObjectType('PersonMatch', { description: 'That a network exists for a person, and who leads it. Nothing else.' })
export class PersonMatchModel {
  @Field(() => ID)
  familyId: string;

  @Field(() => ContactCardModel)
  lead: ContactCardModel;
}

@ObjectType('JoinRequest')
export class JoinRequestModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  familyId: string;

  @Field(() => ContactCardModel)
  requester: ContactCardModel;

  @Field(() => String)
  reason: string;

  @Field(() => JoinRequestStatus)
  status: JoinRequestStatus;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  decidedAt: Date | null;
}

@ObjectType('AccessGrant')
export class AccessGrantModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  familyId: string;

  @Field(() => ID)
  userId: string;

  @Field(() => String)
  reason: string;

  @Field(() => Date)
  grantedAt: Date;

  @Field(() => Date)
  expiresAt: Date;

  @Field(() => Boolean, { description: 'The user has used break-glass repeatedly; look closer' })
  flagged: boolean;

  @Field(() => GrantReviewOutcome, { nullable: true })
  reviewOutcome: GrantReviewOutcome | null;

  @Field(() => String, { nullable: true })
  reviewNote: string | null;

  @Field(() => Date, { nullable: true })
  reviewedAt: Date | null;
}

export const AccessGrantConnection = ConnectionType(AccessGrantModel, 'AccessGrant');
