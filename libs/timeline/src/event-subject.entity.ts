import { Entity, ForeignKey, Index, PrimaryColumn, Column } from 'typeorm';
import { TimelineEventEntity } from './timeline-event.entity.js';

/** A person an event is about. */
@Entity('event_subjects')
@Index('event_subjects_person_idx', ['personId'])
export class EventSubjectEntity {
  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey('families', { name: 'event_subjects_family_id_fkey' })
  familyId: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  @ForeignKey(() => TimelineEventEntity, { name: 'event_subjects_event_id_fkey' })
  eventId: string;

  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  @ForeignKey('persons', { name: 'event_subjects_person_id_fkey' })
  personId: string;
}
