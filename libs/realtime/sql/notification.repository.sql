-- The statements of this repository, written by libs/realtime/src/notification.repository.sql.spec.ts (`npm run sql` rewrites it).

-- NotificationRepository.insertForUsers
WITH bumped AS (
    INSERT INTO inbox_counters AS c (user_id, last_seq) SELECT u, 1 FROM unnest($1::uuid[]) AS u
    ON CONFLICT (user_id) DO UPDATE SET last_seq = c.last_seq + 1
    RETURNING user_id, last_seq)
  INSERT INTO notifications (user_id, seq, type, family_id, event_id, alert_id, rag)
  SELECT user_id, last_seq, $2, $3, $4, $5, $6 FROM bumped
  RETURNING user_id, seq, type, family_id, event_id, alert_id, rag, created_at;

-- NotificationRepository.since
SELECT user_id, seq, type, family_id, event_id, alert_id, rag, created_at FROM notifications
  WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3;

-- NotificationRepository.lastSeqs
SELECT coalesce(c.last_seq, 0) AS last_seq
  FROM unnest($1::uuid[]) WITH ORDINALITY AS u(user_id, i)
  LEFT JOIN inbox_counters c ON c.user_id = u.user_id ORDER BY u.i;

-- NotificationRepository.after
SELECT n.* FROM unnest($1::uuid[], $2::bigint[]) AS w(user_id, after_seq)
  CROSS JOIN LATERAL (SELECT user_id, seq, type, family_id, event_id, alert_id, rag, created_at FROM notifications
    WHERE user_id = w.user_id AND seq > w.after_seq ORDER BY seq LIMIT $3) n
  ORDER BY n.user_id, n.seq;

-- NotificationRepository.markDelivered
UPDATE notifications SET delivered_at = now() WHERE user_id = $1 AND seq <= $2 AND delivered_at IS NULL;
