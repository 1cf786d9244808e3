import { Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TimelineEventEntity } from './timeline-event.entity.js';

/** A read receipt: this user has seen this event. */
@Entity('event_acknowledgements')
export class EventAcknowledgementEntity {
  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey('families', { name: 'event_acknowledgements_family_id_fkey' })
  familyId: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  @ForeignKey(() => TimelineEventEntity, { name: 'event_acknowledgements_event_id_fkey' })
  eventId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'event_acknowledgements_user_id_fkey' })
  userId: string;

  @CreateDateColumn({ name: 'acknowledged_at', type: 'timestamptz' })
  acknowledgedAt: Date;
}
