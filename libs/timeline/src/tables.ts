import { EventAcknowledgementEntity } from './event-acknowledgement.entity.js';
import { EventReplyEntity } from './event-reply.entity.js';
import { EventSubjectEntity } from './event-subject.entity.js';
import { SharingPolicyEntity } from './sharing-policy.entity.js';
import { TimelineEventEntity } from './timeline-event.entity.js';

/** The tables timeline owns: only its SQL names them (checked by `npm run lint`). */
export const TIMELINE_TABLES = [
  'timeline_events',
  'event_subjects',
  'event_replies',
  'event_acknowledgements',
  'sharing_policies',
] as const;

/** One entity per table above. */
export const TIMELINE_ENTITIES = [
  TimelineEventEntity,
  EventSubjectEntity,
  EventReplyEntity,
  EventAcknowledgementEntity,
  SharingPolicyEntity,
];
