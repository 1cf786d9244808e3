import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import type { NotificationType } from './notification.model.js';

/** A user's last inbox sequence number: the next notification gets one more. */
@Entity('inbox_counters')
export class InboxCounterEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'inbox_counters_user_id_fkey' })
  userId: string;

  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq: number;
}

/** One row of a user's durable inbox, numbered by their sequence. Ids and safe metadata only. */
@Entity('notifications')
@Check(
  'notifications_type_check',
  `type IN ('EVENT_POSTED','ALERT_RAISED','ALERT_UPDATED','REPLY_POSTED','MEMBERSHIP_CHANGED','ACCESS_GRANTED','ACCESS_REVOKED')`,
)
@Index('notifications_family_idx', ['familyId', 'userId'])
export class NotificationEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'notifications_user_id_fkey' })
  userId: string;

  @PrimaryColumn({ type: 'bigint' })
  seq: number;

  @Column({ type: 'text' })
  type: NotificationType;

  /** References families by table name: realtime may not import network. */
  @Column({ name: 'family_id', type: 'uuid', nullable: true })
  @ForeignKey('families', { name: 'notifications_family_id_fkey' })
  familyId: string | null;

  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId: string | null;

  @Column({ name: 'alert_id', type: 'uuid', nullable: true })
  alertId: string | null;

  @Column({ type: 'text', nullable: true })
  rag: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}
