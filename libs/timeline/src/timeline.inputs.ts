import { Field, ID, InputType } from '@nestjs/graphql';
import { z } from 'zod';
import { line, text, uuid } from '@hearth/errors';
import { EventKind, Severity, Visibility } from './timeline.enums.js';

@InputType()
export class PostEventInput {
  @Field(() => ID)
  familyId: string;

  @Field(() => EventKind)
  kind: EventKind;

  @Field(() => Severity)
  severity: Severity;

  @Field(() => Date)
  occurredAt: Date;

  @Field(() => String)
  summary: string;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => [ID], { nullable: true, description: 'The persons of the family the event is about' })
  subjectIds?: string[] | null;

  @Field(() => Visibility, {
    nullable: true,
    description: "Default: the posting agency's sharing policy, else NETWORK",
  })
  visibility?: Visibility | null;

  @Field(() => [ID], { nullable: true, description: 'For RESTRICTED: users who may read it' })
  audienceUserIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'For RESTRICTED: agencies whose members may read it' })
  audienceAgencyIds?: string[] | null;
}

const when = z
  .date({ error: 'must be a date and time' })
  .refine((d) => !Number.isNaN(d.getTime()), { error: 'must be a date and time' })
  .refine((d) => d.getTime() <= Date.now() + 5 * 60_000, { error: 'must not be in the future' })
  .refine((d) => d.getUTCFullYear() >= 1900, { error: 'must be after 1900' });

export const postEventSchema = z.strictObject({
  familyId: uuid,
  kind: z.enum(EventKind),
  severity: z.enum(Severity),
  occurredAt: when,
  summary: line(500),
  body: text(20_000).nullish(),
  subjectIds: z.array(uuid).max(50, { error: 'must name at most 50 persons' }).nullish(),
  visibility: z.enum(Visibility).nullish(),
  audienceUserIds: z.array(uuid).max(100).nullish(),
  audienceAgencyIds: z.array(uuid).max(50).nullish(),
});

@InputType()
export class AmendEventInput {
  @Field(() => String, { nullable: true })
  summary?: string | null;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => Severity, { nullable: true })
  severity?: Severity | null;

  @Field(() => String)
  reason: string;
}

export const amendEventSchema = z.strictObject({
  summary: line(500).nullish(),
  body: text(20_000).nullish(),
  severity: z.enum(Severity).nullish(),
  reason: text(2000),
});

@InputType()
export class SharingPolicyInput {
  @Field(() => EventKind)
  kind: EventKind;

  @Field(() => Visibility, { description: 'NETWORK or AGENCY' })
  visibility: Visibility;
}

export const sharingPolicySchema = z.strictObject({
  kind: z.enum(EventKind),
  visibility: z.enum([Visibility.NETWORK, Visibility.AGENCY], { error: 'must be NETWORK or AGENCY' }),
});

export const replySchema = text(10_000);

@InputType({ description: 'Every field narrows the timeline; all are optional' })
export class TimelineFilter {
  @Field(() => [EventKind], { nullable: true, description: 'Events of any of these kinds' })
  kinds?: EventKind[] | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Events posted by this agency (never those whose agency is withheld from you)',
  })
  agencyId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Events about this person' })
  subjectId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Events that happened at or after this time' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Events that happened before this time' })
  to?: Date | null;
}

export const timelineFilterSchema = z
  .strictObject({
    kinds: z.array(z.enum(EventKind)).max(20).nullish(),
    agencyId: uuid.nullish(),
    subjectId: uuid.nullish(),
    from: z.date({ error: 'must be a date and time' }).nullish(),
    to: z.date({ error: 'must be a date and time' }).nullish(),
  })
  .nullish();
