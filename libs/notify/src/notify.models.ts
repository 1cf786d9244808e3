import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum NotificationFloor {
  ALL = 'ALL',
  GREEN = 'GREEN',
  AMBER = 'AMBER',
  RED = 'RED',
}
registerEnumType(NotificationFloor, {
  name: 'NotificationFloor',
  description: 'The least a channel carries: ALL (every update), or alerts of GREEN, AMBER or RED and above',
});

@ObjectType('NotificationSettings', {
  description: 'What reaches you outside Hearth. RED alerts always reach you on every channel you have.',
})
export class NotificationSettingsModel {
  @Field(() => NotificationFloor, { description: 'Email: the least that is sent at once (default AMBER)' })
  emailFloor: NotificationFloor;

  @Field(() => NotificationFloor, { description: "Your agency's webhooks: the least that is sent (default RED)" })
  webhookFloor: NotificationFloor;

  @Field(() => String, { description: 'IANA time zone of your quiet hours and digest, e.g. Europe/London' })
  timeZone: string;

  @Field(() => String, { nullable: true, description: 'Quiet hours start (HH:MM): email waits until they end' })
  quietHoursStart: string | null;

  @Field(() => String, { nullable: true, description: 'Quiet hours end (HH:MM)' })
  quietHoursEnd: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Daily digest time (HH:MM) for what is below your email floor; null: no digest',
  })
  digestAt: string | null;

  @Field(() => [ID], { description: 'Families whose non-alert updates you do not want outside Hearth' })
  mutedFamilyIds: string[];

  @Field(() => Boolean, { description: 'Always true: RED alerts go through whatever the settings' })
  redAlertsAlwaysDelivered: boolean;
}

@InputType()
export class NotificationSettingsInput {
  @Field(() => NotificationFloor, { nullable: true })
  emailFloor?: NotificationFloor | null;

  @Field(() => NotificationFloor, { nullable: true })
  webhookFloor?: NotificationFloor | null;

  @Field(() => String, { nullable: true })
  timeZone?: string | null;

  @Field(() => String, { nullable: true, description: 'HH:MM; give both ends, or clearQuietHours' })
  quietHoursStart?: string | null;

  @Field(() => String, { nullable: true })
  quietHoursEnd?: string | null;

  @Field(() => Boolean, { nullable: true })
  clearQuietHours?: boolean | null;

  @Field(() => String, { nullable: true, description: 'HH:MM' })
  digestAt?: string | null;

  @Field(() => Boolean, { nullable: true })
  noDigest?: boolean | null;

  @Field(() => [ID], { nullable: true })
  mutedFamilyIds?: string[] | null;
}

@ObjectType('WebhookEndpoint', { description: "An agency system that receives its members' notifications" })
export class WebhookEndpointModel {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  url: string;

  @Field(() => Boolean, { description: 'False once disabled after repeated failures, or by an admin' })
  enabled: boolean;

  @Field(() => Int)
  consecutiveFailures: number;

  @Field(() => Date, { nullable: true })
  disabledAt: Date | null;

  @Field(() => Date)
  createdAt: Date;
}

@ObjectType('RegisteredWebhookEndpoint')
export class RegisteredWebhookEndpointModel {
  @Field(() => WebhookEndpointModel)
  endpoint: WebhookEndpointModel;

  @Field(() => String, { description: 'The signing secret (whsec_…). Shown this once: store it now.' })
  secret: string;
}

@ObjectType('WebhookDeadLetter', { description: 'A delivery given up after 24 hours of retries' })
export class WebhookDeadLetterModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  endpointId: string;

  @Field(() => String, { description: 'The webhook-id it was sent with: the same on replay' })
  idempotencyKey: string;

  @Field(() => String, { nullable: true })
  notificationType: string | null;

  @Field(() => Int)
  attempts: number;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field(() => Date)
  createdAt: Date;
}
