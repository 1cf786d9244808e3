-- The statements of this repository, written by libs/timeline/src/timeline-event.repository.sql.spec.ts (`npm run sql` rewrites it).

-- ReplyRepository.insert
INSERT INTO event_replies (family_id, event_id, author_id, agency_id, body) VALUES ($1, $2, $3, $4, $5)
  RETURNING id, family_id, event_id, author_id, body, created_at;

-- ReplyRepository.ofVisible
SELECT r.id, r.family_id, r.event_id, r.author_id, r.body, r.created_at
  FROM (SELECT e.id, e.family_id, e.kind, e.severity, e.occurred_at, e.recorded_at, e.agency_id, e.author_id, e.visibility,
       e.amends_event_id, v.content_visible,
       CASE WHEN v.content_visible THEN e.summary END AS summary,
       CASE WHEN v.content_visible THEN e.body END AS body,
       CASE WHEN v.content_visible THEN e.amendment_reason END AS amendment_reason
     FROM timeline_events e
     CROSS JOIN LATERAL (SELECT COALESCE((((e.family_id = ANY($3::uuid[])) AND (e.author_id = $4::uuid)) OR ((e.family_id = ANY($5::uuid[])) AND ($6::uuid = ANY(e.audience_agency_ids))) OR ((e.family_id = ANY($7::uuid[])) AND ($8::uuid = ANY(e.audience_user_ids))) OR ((e.family_id = ANY($9::uuid[])) AND (e.visibility = $10::text) AND (e.agency_id = $11::uuid)) OR ((e.family_id = ANY($12::uuid[])) AND (e.visibility = $13::text))), FALSE) AS content_visible) v
     WHERE e.id = ANY($1) AND (e.family_id = ANY($2::uuid[]))
     ) visible JOIN event_replies r ON r.event_id = visible.id
  WHERE visible.content_visible ORDER BY r.event_id, r.created_at, r.id;
