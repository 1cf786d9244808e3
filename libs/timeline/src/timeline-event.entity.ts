import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { EventKind, Severity, Visibility } from './timeline.enums.js';

/**
 * An entry on a family's timeline. Never edited: an amendment is a new row naming the one it
 * amends. `audience_*` widen a RESTRICTED event to named users and agencies.
 */
@Entity('timeline_events')
@Check(
  'timeline_events_kind_check',
  `kind IN ('CONCERN','INCIDENT','DOMESTIC_ABUSE_INCIDENT','MISSING_EPISODE','SCHOOL_ABSENCE',
  'UNSCHEDULED_CARE_ATTENDANCE','APPOINTMENT_MISSED','INJURY','REFERRAL','ASSESSMENT','MEETING','PLAN_CHANGE','NOTE')`,
)
@Check('timeline_events_severity_check', `severity IN ('INFO','LOW','MEDIUM','HIGH','CRITICAL')`)
@Check('timeline_events_visibility_check', `visibility IN ('NETWORK','AGENCY','RESTRICTED')`)
@Index('timeline_events_family_page_idx', ['familyId', 'recordedAt', 'id'])
@Index('timeline_events_amends_idx', ['amendsEventId'], { where: 'amends_event_id IS NOT NULL' })
// The rule engine's counts by kind over a window, and its latest-event look-ups.
@Index('timeline_events_family_kind_time_idx', ['familyId', 'kind', 'occurredAt'])
@Index('timeline_events_family_recorded_idx', ['familyId', 'recordedAt'])
export class TimelineEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey('families', { name: 'timeline_events_family_id_fkey' })
  familyId: string;

  @Column({ type: 'text' })
  kind: EventKind;

  @Column({ type: 'text' })
  severity: Severity;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;

  @Column({ name: 'agency_id', type: 'uuid' })
  @ForeignKey('agencies', { name: 'timeline_events_agency_id_fkey' })
  agencyId: string;

  @Column({ name: 'author_id', type: 'uuid' })
  @ForeignKey('users', { name: 'timeline_events_author_id_fkey' })
  authorId: string;

  @Column({ type: 'text' })
  visibility: Visibility;

  @Column({ name: 'audience_user_ids', type: 'uuid', array: true, default: '{}' })
  audienceUserIds: string[];

  @Column({ name: 'audience_agency_ids', type: 'uuid', array: true, default: '{}' })
  audienceAgencyIds: string[];

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Column({ name: 'amends_event_id', type: 'uuid', nullable: true })
  @ForeignKey(() => TimelineEventEntity, { name: 'timeline_events_amends_event_id_fkey' })
  amendsEventId: string | null;

  @Column({ name: 'amendment_reason', type: 'text', nullable: true })
  amendmentReason: string | null;
}
