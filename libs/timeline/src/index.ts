export { EventKind, Severity, Visibility } from './timeline.enums.js';
export { AmendEventInput, PostEventInput, SharingPolicyInput } from './timeline.inputs.js';
export { ReplyModel, TimelineEventModel } from './timeline.models.js';
export { EVENT_FIELDS, eventAudiences } from './timeline.repository.js';
export type { EventAudience } from './timeline.repository.js';
export { TimelineModule } from './timeline.module.js';
export { TimelineService } from './timeline.service.js';
export { TimelineEventRepository } from './timeline-event.repository.js';
export type {
  EventWindow,
  EventWindowQuery,
  LastRecorded,
  NewAmendment,
  NewEvent,
} from './timeline-event.repository.js';
export type { PostedEvent, PostedReply } from './timeline.events.js';
export { TIMELINE_ENTITIES, TIMELINE_TABLES } from './tables.js';
