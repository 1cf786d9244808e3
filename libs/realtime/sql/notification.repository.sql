-- The statements of this repository, written by libs/realtime/src/notification.repository.sql.spec.ts (`npm run sql` rewrites it).

-- NotificationRepository.insertForUsers
WITH items AS (
    SELECT t.user_id, t.batch_index, row_number() OVER (PARTITION BY t.user_id ORDER BY t.batch_index) AS nth,
           count(*) OVER (PARTITION BY t.user_id) AS n
    FROM unnest($1::uuid[], $2::int[]) AS t(user_id, batch_index)),
  bumped AS (
    INSERT INTO inbox_counters AS c (user_id, last_seq)
    SELECT user_id, n FROM items WHERE nth = 1 ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET last_seq = c.last_seq + EXCLUDED.last_seq
    RETURNING user_id, last_seq),
  numbered AS (
    SELECT i.user_id, b.last_seq - i.n + i.nth AS seq, i.batch_index FROM items i JOIN bumped b ON b.user_id = i.user_id),
  fresh AS (
    SELECT n.user_id, n.seq, f.type, f.family_id, f.event_id, f.alert_id, f.rag, now() AS created_at, n.batch_index
    FROM numbered n
    JOIN unnest($3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[]) WITH ORDINALITY
         AS f(type, family_id, event_id, alert_id, rag, ord) ON f.ord = n.batch_index + 1),
  written AS (
    INSERT INTO notifications (user_id, seq, type, family_id, event_id, alert_id, rag, created_at) SELECT user_id, seq, type, family_id, event_id, alert_id, rag, created_at FROM fresh)
  SELECT user_id, seq, type, family_id, event_id, alert_id, rag, created_at, batch_index FROM fresh ORDER BY batch_index, user_id;

-- NotificationRepository.since
SELECT set_config('hearth.user_id', $1, true);

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
SELECT set_config('hearth.user_id', $1, true);

UPDATE notifications SET delivered_at = now() WHERE user_id = $1 AND seq <= $2 AND delivered_at IS NULL;
