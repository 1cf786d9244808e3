import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** A user's choices about what reaches them outside Hearth. No row: the defaults. */
@Entity('notification_preferences')
@Check('notification_preferences_email_floor_check', `email_floor IN ('ALL','GREEN','AMBER','RED')`)
@Check('notification_preferences_webhook_floor_check', `webhook_floor IN ('ALL','GREEN','AMBER','RED')`)
@Check('notification_preferences_check', `(quiet_start IS NULL) = (quiet_end IS NULL)`)
export class NotificationPreferenceEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'notification_preferences_user_id_fkey' })
  userId: string;

  @Column({ name: 'email_floor', type: 'text', default: 'AMBER' })
  emailFloor: string;

  @Column({ name: 'webhook_floor', type: 'text', default: 'RED' })
  webhookFloor: string;

  @Column({ name: 'time_zone', type: 'text', default: 'Europe/London' })
  timeZone: string;

  @Column({ name: 'quiet_start', type: 'time', nullable: true })
  quietStart: string | null;

  @Column({ name: 'quiet_end', type: 'time', nullable: true })
  quietEnd: string | null;

  @Column({ name: 'digest_at', type: 'time', nullable: true, default: '07:30:00' })
  digestAt: string | null;

  @Column({ name: 'muted_family_ids', type: 'uuid', array: true, default: '{}' })
  mutedFamilyIds: string[];

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** An agency's HTTPS endpoint for its members' notifications, signed with its own secret. */
@Entity('webhook_endpoints')
@Index('webhook_endpoints_agency_idx', ['agencyId'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'agency_id', type: 'uuid' })
  @ForeignKey('agencies', { name: 'webhook_endpoints_agency_id_fkey' })
  agencyId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text' })
  secret: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  @ForeignKey('users', { name: 'webhook_endpoints_created_by_fkey' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One decision to send: a notification (or a digest) on one channel, claimed and sent by the worker. */
@Entity('outbox_messages')
@Check('outbox_messages_channel_check', `channel IN ('EMAIL','WEBHOOK')`)
@Check('outbox_messages_kind_check', `kind IN ('NOTIFICATION','DIGEST')`)
@Check('outbox_messages_status_check', `status IN ('PENDING','HELD','SENT','DROPPED','DEAD','DIGESTED')`)
@Check('outbox_messages_check', `(channel = 'WEBHOOK') = (endpoint_id IS NOT NULL)`)
@Index('outbox_messages_idempotency_key', ['idempotencyKey'], { unique: true })
@Index('outbox_messages_due_idx', ['notBefore'], { where: `status = 'PENDING'` })
@Index('outbox_messages_held_idx', ['userId'], { where: `status = 'HELD'` })
@Index('outbox_messages_dead_idx', ['endpointId'], { where: `status = 'DEAD'` })
@Index('outbox_messages_family_idx', ['familyId'])
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  channel: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'outbox_messages_user_id_fkey' })
  userId: string;

  @Column({ name: 'endpoint_id', type: 'uuid', nullable: true })
  @ForeignKey(() => WebhookEndpointEntity, { name: 'outbox_messages_endpoint_id_fkey' })
  endpointId: string | null;

  @Column({ name: 'notification_seq', type: 'bigint', nullable: true })
  notificationSeq: number | null;

  @Column({ type: 'text', nullable: true })
  type: string | null;

  @Column({ name: 'family_id', type: 'uuid', nullable: true })
  @ForeignKey('families', { name: 'outbox_messages_family_id_fkey' })
  familyId: string | null;

  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId: string | null;

  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId: string | null;

  @Column({ type: 'text', nullable: true })
  rag: string | null;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ type: 'text', default: 'PENDING' })
  status: string;

  @Column({ name: 'not_before', type: 'timestamptz' })
  notBefore: Date;

  @Column({ name: 'give_up_at', type: 'timestamptz' })
  giveUpAt: Date;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'digest_id', type: 'uuid', nullable: true })
  @ForeignKey(() => OutboxMessageEntity, { name: 'outbox_messages_digest_id_fkey' })
  digestId: string | null;

  @Column({ name: 'item_count', type: 'integer', nullable: true })
  itemCount: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
