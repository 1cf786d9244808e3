import { Field, ID, ObjectType } from '@nestjs/graphql';
import { AgencyModel } from '@hearth/identity';
import { ContactCardModel } from '@hearth/network';
import { ConnectionType } from '@hearth/pagination';
import { EventKind, Severity, Visibility } from './timeline.enums.js';

@ObjectType('TimelineEvent')
export class TimelineEventModel {
  @Field(() => ID)
  id: string;

  familyId: string;
  agencyId: string;
  authorId: string;
  amendsEventId: string | null;

  @Field(() => EventKind)
  kind: EventKind;

  @Field(() => Severity)
  severity: Severity;

  @Field(() => Date)
  occurredAt: Date;

  @Field(() => Date)
  recordedAt: Date;

  @Field(() => Visibility)
  visibility: Visibility;

  @Field(() => Boolean, { description: 'True when the caller is outside the audience: summary and body are null' })
  redacted: boolean;

  @Field(() => String, { nullable: true })
  summary: string | null;

  @Field(() => String, { nullable: true })
  body: string | null;

  @Field(() => String, { nullable: true, description: 'Why an amendment was made (null when redacted)' })
  amendmentReason: string | null;

  // Read with the event, in its statement: plain properties, no resolver per field.
  @Field(() => ContactCardModel)
  author: ContactCardModel;

  @Field(() => AgencyModel, {
    nullable: true,
    description: 'Null when the author marked their role sensitive and you are outside their agency',
  })
  agency: AgencyModel | null;
}

export const TimelineEventConnection = ConnectionType(TimelineEventModel, 'TimelineEvent');

@ObjectType('Reply')
export class ReplyModel {
  @Field(() => ID)
  id: string;

  familyId: string;
  authorId: string;

  @Field(() => ID)
  eventId: string;

  @Field(() => String)
  body: string;

  @Field(() => Date)
  createdAt: Date;
}

@ObjectType('SharingPolicyEntry', { description: "An agency's default visibility for an event kind" })
export class SharingPolicyEntryModel {
  @Field(() => EventKind)
  kind: EventKind;

  @Field(() => Visibility)
  visibility: Visibility;
}
