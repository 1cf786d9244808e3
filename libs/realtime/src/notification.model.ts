import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum NotificationType {
  EVENT_POSTED = 'EVENT_POSTED',
  ALERT_RAISED = 'ALERT_RAISED',
  ALERT_UPDATED = 'ALERT_UPDATED',
  REPLY_POSTED = 'REPLY_POSTED',
  MEMBERSHIP_CHANGED = 'MEMBERSHIP_CHANGED',
  ACCESS_GRANTED = 'ACCESS_GRANTED',
  ACCESS_REVOKED = 'ACCESS_REVOKED',
}
registerEnumType(NotificationType, { name: 'NotificationType' });

/** What a socket carries: ids and safe metadata, never a summary or a body. */
export interface NotificationPayload {
  readonly seq: number;
  readonly type: NotificationType;
  readonly familyId: string | null;
  readonly eventId?: string;
  readonly alertId?: string;
  readonly rag?: string;
  readonly at: string;
}

@ObjectType('Notification')
export class NotificationModel {
  @Field(() => Int)
  seq: number;

  @Field(() => NotificationType)
  type: NotificationType;

  @Field(() => ID, { nullable: true })
  familyId: string | null;

  @Field(() => ID, { nullable: true })
  eventId: string | null;

  @Field(() => ID, { nullable: true })
  alertId: string | null;

  @Field(() => String, { nullable: true })
  rag: string | null;

  @Field(() => Date)
  at: Date;
}
