import { NotificationPreferenceEntity, OutboxMessageEntity, WebhookEndpointEntity } from './notify.entity.js';

/** The tables notify owns: only its SQL names them (checked by `npm run lint`). */
export const NOTIFY_TABLES = ['notification_preferences', 'outbox_messages', 'webhook_endpoints'] as const;

/** One entity per table above. */
export const NOTIFY_ENTITIES = [NotificationPreferenceEntity, OutboxMessageEntity, WebhookEndpointEntity];
