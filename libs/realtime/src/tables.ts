import { InboxCounterEntity, NotificationEntity } from './notification.entity.js';
import { SocketIoAttachmentEntity } from './socket-io-attachment.entity.js';

/** The tables realtime owns: only its SQL names them (checked by `npm run lint`). */
export const REALTIME_TABLES = ['inbox_counters', 'notifications', 'socket_io_attachments'] as const;

/** One entity per table above. */
export const REALTIME_ENTITIES = [InboxCounterEntity, NotificationEntity, SocketIoAttachmentEntity];
