-- The statements of this repository, written by libs/notify/src/notify.repository.sql.spec.ts (`npm run sql` rewrites it).

-- PreferenceRepository.of
SELECT user_id, email_floor, webhook_floor, time_zone, quiet_start::text, quiet_end::text,
         digest_at::text, muted_family_ids
  FROM notification_preferences WHERE user_id = ANY($1::uuid[]);

-- PreferenceRepository.ofRecipients
SELECT w.any_webhook, p.user_id, p.email_floor, p.webhook_floor, p.time_zone, p.quiet_start::text,
         p.quiet_end::text, p.digest_at::text, p.muted_family_ids
  FROM (SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) AS any_webhook) w
  LEFT JOIN notification_preferences p ON p.user_id = ANY($1::uuid[]);

-- PreferenceRepository.save
INSERT INTO notification_preferences AS n
    (user_id, email_floor, webhook_floor, time_zone, quiet_start, quiet_end, digest_at, muted_family_ids, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid[], now())
  ON CONFLICT (user_id) DO UPDATE SET email_floor = EXCLUDED.email_floor, webhook_floor = EXCLUDED.webhook_floor,
    time_zone = EXCLUDED.time_zone, quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
    digest_at = EXCLUDED.digest_at, muted_family_ids = EXCLUDED.muted_family_ids, updated_at = now();

-- WebhookEndpointRepository.ofAgency
SELECT id, agency_id, url, secret, enabled, consecutive_failures, disabled_at, created_at FROM webhook_endpoints WHERE agency_id = $1 ORDER BY created_at, id;

-- WebhookEndpointRepository.byIds
SELECT id, agency_id, url, secret, enabled, consecutive_failures, disabled_at, created_at FROM webhook_endpoints WHERE id = ANY($1::uuid[]);

-- WebhookEndpointRepository.enabledOf
SELECT id, agency_id, url, secret, enabled, consecutive_failures, disabled_at, created_at FROM webhook_endpoints WHERE agency_id = ANY($1::uuid[]) AND enabled ORDER BY id;

-- WebhookEndpointRepository.setEnabled
UPDATE webhook_endpoints SET enabled = $2, consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures END,
  disabled_at = CASE WHEN $2 THEN NULL ELSE now() END WHERE id = $1;

-- WebhookEndpointRepository.succeeded
UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0;

-- WebhookEndpointRepository.failed
UPDATE webhook_endpoints w SET consecutive_failures = w.consecutive_failures + 1,
    enabled = w.enabled AND w.consecutive_failures + 1 < $2,
    disabled_at = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= $2 THEN $3 ELSE w.disabled_at END
  FROM (SELECT id, enabled AS was FROM webhook_endpoints WHERE id = $1) old
  WHERE w.id = old.id RETURNING w.enabled, old.was;

-- WebhookEndpointRepository.create
INSERT INTO webhook_endpoints (agency_id, url, secret, created_by) VALUES ($1, $2, $3, $4) RETURNING id, agency_id, url, secret, enabled, consecutive_failures, disabled_at, created_at;

-- OutboxRepository.insert
INSERT INTO outbox_messages (channel, kind, user_id, endpoint_id, notification_seq, type, family_id, event_id,
    alert_id, rag, idempotency_key, status, not_before, give_up_at)
  SELECT channel, 'NOTIFICATION', user_id, endpoint_id, seq, type, family_id, event_id, alert_id, rag, key, status,
    not_before, give_up_at
  FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[],
    $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[])
    AS m(channel, user_id, endpoint_id, seq, type, family_id, event_id, alert_id, rag, key, status, not_before, give_up_at)
  ON CONFLICT (idempotency_key) DO NOTHING;

-- OutboxRepository.insertDigest
INSERT INTO outbox_messages (channel, kind, user_id, idempotency_key, status, not_before, give_up_at, item_count)
  VALUES ('EMAIL', 'DIGEST', $1, $2, 'PENDING', $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id;

-- OutboxRepository.claim
UPDATE outbox_messages o SET not_before = $2, attempts = o.attempts + 1
  FROM (SELECT id FROM outbox_messages WHERE status = 'PENDING' AND not_before <= $1
        ORDER BY not_before LIMIT $3 FOR UPDATE SKIP LOCKED) due
  WHERE o.id = due.id
  RETURNING o.id, o.channel, o.kind, o.user_id, o.endpoint_id, o.notification_seq, o.type, o.family_id, o.event_id, o.alert_id, o.rag, o.idempotency_key, o.status, o.not_before, o.give_up_at, o.attempts, o.last_error, o.item_count, o.created_at, o.sent_at;

-- OutboxRepository.markSent
UPDATE outbox_messages SET status = 'SENT', sent_at = $2, last_error = NULL WHERE id = ANY($1::uuid[]) AND status = 'PENDING';

-- OutboxRepository.markDropped
UPDATE outbox_messages SET status = 'DROPPED' WHERE id = ANY($1::uuid[]) AND status IN ('PENDING','HELD');

-- OutboxRepository.markFailed
UPDATE outbox_messages SET last_error = $2, status = CASE WHEN $3::timestamptz IS NULL THEN 'DEAD' ELSE status END,
  not_before = COALESCE($3::timestamptz, not_before) WHERE id = $1 AND status = 'PENDING';

-- OutboxRepository.heldUsers
SELECT DISTINCT user_id FROM outbox_messages WHERE status = 'HELD';

-- OutboxRepository.held
SELECT id, channel, kind, user_id, endpoint_id, notification_seq, type, family_id, event_id, alert_id, rag,
  idempotency_key, status, not_before, give_up_at, attempts, last_error, item_count, created_at, sent_at FROM outbox_messages WHERE user_id = $1 AND status = 'HELD' ORDER BY created_at, id FOR UPDATE SKIP LOCKED;

-- OutboxRepository.dead
SELECT id, channel, kind, user_id, endpoint_id, notification_seq, type, family_id, event_id, alert_id, rag,
  idempotency_key, status, not_before, give_up_at, attempts, last_error, item_count, created_at, sent_at FROM outbox_messages WHERE endpoint_id = ANY($1::uuid[]) AND status = 'DEAD'
       ORDER BY created_at DESC, id LIMIT $2;

-- OutboxRepository.byId
SELECT id, channel, kind, user_id, endpoint_id, notification_seq, type, family_id, event_id, alert_id, rag,
  idempotency_key, status, not_before, give_up_at, attempts, last_error, item_count, created_at, sent_at FROM outbox_messages WHERE id = $1;

-- OutboxRepository.replay
UPDATE outbox_messages SET status = 'PENDING', not_before = $2, give_up_at = $3, attempts = 0, last_error = NULL
  WHERE id = $1 AND status = 'DEAD';

-- OutboxRepository.depth
SELECT count(*) AS pending, min(created_at) FILTER (WHERE not_before <= $1) AS oldest
  FROM outbox_messages WHERE status = 'PENDING';
