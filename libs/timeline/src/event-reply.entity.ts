import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimelineEventEntity } from './timeline-event.entity.js';

@Entity('event_replies')
@Index('event_replies_event_idx', ['eventId', 'createdAt', 'id'])
export class EventReplyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey('families', { name: 'event_replies_family_id_fkey' })
  familyId: string;

  @Column({ name: 'event_id', type: 'uuid' })
  @ForeignKey(() => TimelineEventEntity, { name: 'event_replies_event_id_fkey' })
  eventId: string;

  @Column({ name: 'author_id', type: 'uuid' })
  @ForeignKey('users', { name: 'event_replies_author_id_fkey' })
  authorId: string;

  @Column({ name: 'agency_id', type: 'uuid' })
  @ForeignKey('agencies', { name: 'event_replies_agency_id_fkey' })
  agencyId: string;

  @Column({ type: 'text' })
  body: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
