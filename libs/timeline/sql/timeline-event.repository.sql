-- The statements of this repository, written by libs/timeline/src/timeline-event.repository.sql.spec.ts (`npm run sql` rewrites it).

-- TimelineEventRepository.countInWindow
WITH f AS (
    SELECT min(k.occurred_at) AS first FROM unnest($2::text[]) AS q(kind)
    CROSS JOIN LATERAL (
      SELECT occurred_at FROM timeline_events
      WHERE family_id = $1 AND kind = q.kind AND array_position($3::text[], severity) >= $4
        AND occurred_at > $5::timestamptz - make_interval(days => $6) AND occurred_at <= $5 AND amends_event_id IS NULL
      ORDER BY occurred_at LIMIT 1) k),
  w AS (
    SELECT id, kind, agency_id, occurred_at FROM timeline_events
    WHERE date_trunc('milliseconds', (SELECT first FROM f)) IS DISTINCT FROM $8::timestamptz AND (SELECT first FROM f) IS NOT NULL
      AND family_id = $1 AND kind = ANY($2) AND array_position($3::text[], severity) >= $4
      AND occurred_at > $5::timestamptz - make_interval(days => $6) AND occurred_at <= $5 AND amends_event_id IS NULL)
  SELECT (SELECT first FROM f) AS first, c.n, c.agencies, s.ids, s.kinds
  FROM (SELECT count(*)::int AS n, count(DISTINCT agency_id)::int AS agencies FROM w) c,
       (SELECT array_agg(id ORDER BY occurred_at, id) AS ids, array_agg(kind ORDER BY occurred_at, id) AS kinds
        FROM (SELECT id, kind, occurred_at FROM w ORDER BY occurred_at, id LIMIT $7) oldest) s;

-- TimelineEventRepository.latestInWindow
SELECT id, kind FROM timeline_events
  WHERE family_id = $1 AND kind = ANY($2) AND id <> $3 AND amends_event_id IS NULL
    AND occurred_at >= $4::timestamptz - make_interval(days => $5) AND occurred_at <= $4
  ORDER BY occurred_at DESC LIMIT 1;

-- TimelineEventRepository.lastRecorded
SELECT f.family_id, (SELECT max(recorded_at) FROM timeline_events e WHERE e.family_id = f.family_id) AS last
  FROM unnest($1::uuid[]) AS f(family_id);

-- TimelineEventRepository.page (first page)
SELECT ev.*, to_jsonb(card) AS author_card, agency.name AS event_agency_name, agency.kind AS event_agency_kind
     FROM (SELECT e.id, e.family_id, e.kind, e.severity, e.occurred_at, e.recorded_at, e.agency_id, e.author_id, e.visibility,
       e.amends_event_id, v.content_visible,
       CASE WHEN v.content_visible THEN e.summary END AS summary,
       CASE WHEN v.content_visible THEN e.body END AS body,
       CASE WHEN v.content_visible THEN e.amendment_reason END AS amendment_reason
     FROM timeline_events e
     CROSS JOIN LATERAL (SELECT COALESCE((((e.family_id = ANY($3::uuid[])) AND (e.author_id = $4::uuid)) OR ((e.family_id = ANY($5::uuid[])) AND ($6::uuid = ANY(e.audience_agency_ids))) OR ((e.family_id = ANY($7::uuid[])) AND ($8::uuid = ANY(e.audience_user_ids))) OR ((e.family_id = ANY($9::uuid[])) AND (e.visibility = $10::text) AND (e.agency_id = $11::uuid)) OR ((e.family_id = ANY($12::uuid[])) AND (e.visibility = $13::text))), FALSE) AS content_visible) v
     WHERE e.family_id = $1 AND (e.family_id = ANY($2::uuid[]))
     ORDER BY e.recorded_at DESC, e.id DESC LIMIT 21) ev
     LEFT JOIN LATERAL (
    SELECT u.id, u.display_name, u.job_title, u.phone, u.email, a.id AS agency_id, a.name AS agency_name,
           a.kind AS agency_kind, m.sensitive, m.contact_route, m.public_id
    FROM users u
    JOIN agencies a ON a.id = u.agency_id
    LEFT JOIN LATERAL (
      SELECT sensitive, contact_route, public_id FROM network_members
      WHERE family_id = ev.family_id AND user_id = u.id ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1
    ) m ON true
    WHERE u.id = ev.author_id
  ) card ON true
     JOIN agencies agency ON agency.id = ev.agency_id
     ORDER BY ev.recorded_at DESC, ev.id DESC;

-- TimelineEventRepository.page (after a cursor)
SELECT ev.*, to_jsonb(card) AS author_card, agency.name AS event_agency_name, agency.kind AS event_agency_kind
     FROM (SELECT e.id, e.family_id, e.kind, e.severity, e.occurred_at, e.recorded_at, e.agency_id, e.author_id, e.visibility,
       e.amends_event_id, v.content_visible,
       CASE WHEN v.content_visible THEN e.summary END AS summary,
       CASE WHEN v.content_visible THEN e.body END AS body,
       CASE WHEN v.content_visible THEN e.amendment_reason END AS amendment_reason
     FROM timeline_events e
     CROSS JOIN LATERAL (SELECT COALESCE((((e.family_id = ANY($5::uuid[])) AND (e.author_id = $6::uuid)) OR ((e.family_id = ANY($7::uuid[])) AND ($8::uuid = ANY(e.audience_agency_ids))) OR ((e.family_id = ANY($9::uuid[])) AND ($10::uuid = ANY(e.audience_user_ids))) OR ((e.family_id = ANY($11::uuid[])) AND (e.visibility = $12::text) AND (e.agency_id = $13::uuid)) OR ((e.family_id = ANY($14::uuid[])) AND (e.visibility = $15::text))), FALSE) AS content_visible) v
     WHERE e.family_id = $1 AND (e.recorded_at, e.id) < ($2::timestamptz, $3::uuid) AND (e.family_id = ANY($4::uuid[]))
     ORDER BY e.recorded_at DESC, e.id DESC LIMIT 21) ev
     LEFT JOIN LATERAL (
    SELECT u.id, u.display_name, u.job_title, u.phone, u.email, a.id AS agency_id, a.name AS agency_name,
           a.kind AS agency_kind, m.sensitive, m.contact_route, m.public_id
    FROM users u
    JOIN agencies a ON a.id = u.agency_id
    LEFT JOIN LATERAL (
      SELECT sensitive, contact_route, public_id FROM network_members
      WHERE family_id = ev.family_id AND user_id = u.id ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1
    ) m ON true
    WHERE u.id = ev.author_id
  ) card ON true
     JOIN agencies agency ON agency.id = ev.agency_id
     ORDER BY ev.recorded_at DESC, ev.id DESC;

-- TimelineEventRepository.visible
SELECT ev.*, to_jsonb(card) AS author_card, agency.name AS event_agency_name, agency.kind AS event_agency_kind
     FROM (SELECT e.id, e.family_id, e.kind, e.severity, e.occurred_at, e.recorded_at, e.agency_id, e.author_id, e.visibility,
       e.amends_event_id, v.content_visible,
       CASE WHEN v.content_visible THEN e.summary END AS summary,
       CASE WHEN v.content_visible THEN e.body END AS body,
       CASE WHEN v.content_visible THEN e.amendment_reason END AS amendment_reason
     FROM timeline_events e
     CROSS JOIN LATERAL (SELECT COALESCE((((e.family_id = ANY($3::uuid[])) AND (e.author_id = $4::uuid)) OR ((e.family_id = ANY($5::uuid[])) AND ($6::uuid = ANY(e.audience_agency_ids))) OR ((e.family_id = ANY($7::uuid[])) AND ($8::uuid = ANY(e.audience_user_ids))) OR ((e.family_id = ANY($9::uuid[])) AND (e.visibility = $10::text) AND (e.agency_id = $11::uuid)) OR ((e.family_id = ANY($12::uuid[])) AND (e.visibility = $13::text))), FALSE) AS content_visible) v
     WHERE e.id = ANY($1) AND (e.family_id = ANY($2::uuid[]))
     ) ev
     LEFT JOIN LATERAL (
    SELECT u.id, u.display_name, u.job_title, u.phone, u.email, a.id AS agency_id, a.name AS agency_name,
           a.kind AS agency_kind, m.sensitive, m.contact_route, m.public_id
    FROM users u
    JOIN agencies a ON a.id = u.agency_id
    LEFT JOIN LATERAL (
      SELECT sensitive, contact_route, public_id FROM network_members
      WHERE family_id = ev.family_id AND user_id = u.id ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1
    ) m ON true
    WHERE u.id = ev.author_id
  ) card ON true
     JOIN agencies agency ON agency.id = ev.agency_id;

-- TimelineEventRepository.lockVisible
SELECT e.id, e.family_id, e.kind, e.severity, e.occurred_at, e.recorded_at, e.agency_id, e.author_id, e.visibility,
    e.amends_event_id, v.content_visible,
    CASE WHEN v.content_visible THEN e.summary END AS summary,
    CASE WHEN v.content_visible THEN e.body END AS body,
    CASE WHEN v.content_visible THEN e.amendment_reason END AS amendment_reason
  FROM timeline_events e
  CROSS JOIN LATERAL (SELECT COALESCE((((e.family_id = ANY($3::uuid[])) AND (e.author_id = $4::uuid)) OR ((e.family_id = ANY($5::uuid[])) AND ($6::uuid = ANY(e.audience_agency_ids))) OR ((e.family_id = ANY($7::uuid[])) AND ($8::uuid = ANY(e.audience_user_ids))) OR ((e.family_id = ANY($9::uuid[])) AND (e.visibility = $10::text) AND (e.agency_id = $11::uuid)) OR ((e.family_id = ANY($12::uuid[])) AND (e.visibility = $13::text))), FALSE) AS content_visible) v
  WHERE e.id = $1 AND (e.family_id = ANY($2::uuid[]))
  FOR UPDATE OF e;

-- TimelineEventRepository.copySubjects
INSERT INTO event_subjects (family_id, event_id, person_id) SELECT family_id, $2, person_id FROM event_subjects WHERE event_id = $1;

-- TimelineEventRepository.subjectsOfVisible
SELECT s.event_id, p.id, fm.family_id, fm.role, p.given_name, p.family_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  p.nhs_number, p.school_upn, p.police_reference, p.address, p.address_withheld, p.recorded_by_agency_id
       FROM (SELECT e.id, e.family_id, e.kind, e.severity, e.occurred_at, e.recorded_at, e.agency_id, e.author_id, e.visibility,
            e.amends_event_id, v.content_visible,
            CASE WHEN v.content_visible THEN e.summary END AS summary,
            CASE WHEN v.content_visible THEN e.body END AS body,
            CASE WHEN v.content_visible THEN e.amendment_reason END AS amendment_reason
          FROM timeline_events e
          CROSS JOIN LATERAL (SELECT COALESCE((((e.family_id = ANY($3::uuid[])) AND (e.author_id = $4::uuid)) OR ((e.family_id = ANY($5::uuid[])) AND ($6::uuid = ANY(e.audience_agency_ids))) OR ((e.family_id = ANY($7::uuid[])) AND ($8::uuid = ANY(e.audience_user_ids))) OR ((e.family_id = ANY($9::uuid[])) AND (e.visibility = $10::text) AND (e.agency_id = $11::uuid)) OR ((e.family_id = ANY($12::uuid[])) AND (e.visibility = $13::text))), FALSE) AS content_visible) v
          WHERE e.id = ANY($1) AND (e.family_id = ANY($2::uuid[]))
          ) visible
       JOIN event_subjects s ON s.event_id = visible.id
       JOIN family_memberships fm ON fm.family_id = s.family_id AND fm.person_id = s.person_id
       JOIN persons p ON p.id = s.person_id
       ORDER BY s.event_id, p.family_name, p.given_name;

-- TimelineEventRepository.insert
WITH e AS (
    INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility,
                                 audience_user_ids, audience_agency_ids, summary, body)
    VALUES ($1, $2, $3, $4, $5, $6,
            COALESCE($7::text, (SELECT p.visibility FROM sharing_policies p WHERE p.agency_id = $5 AND p.event_kind = $2::text), 'NETWORK'),
            $8, $9, $10, $11)
    RETURNING id, family_id, kind, severity, occurred_at, recorded_at, agency_id, author_id, visibility,
              audience_user_ids, audience_agency_ids, amends_event_id, summary, body, amendment_reason),
  subjects AS (
    INSERT INTO event_subjects (family_id, event_id, person_id) SELECT e.family_id, e.id, unnest($12::uuid[]) FROM e)
  SELECT ev.*, to_jsonb(card) AS author_card, agency.name AS event_agency_name, agency.kind AS event_agency_kind
     FROM (SELECT * FROM e) ev
     LEFT JOIN LATERAL (
    SELECT u.id, u.display_name, u.job_title, u.phone, u.email, a.id AS agency_id, a.name AS agency_name,
           a.kind AS agency_kind, m.sensitive, m.contact_route, m.public_id
    FROM users u
    JOIN agencies a ON a.id = u.agency_id
    LEFT JOIN LATERAL (
      SELECT sensitive, contact_route, public_id FROM network_members
      WHERE family_id = ev.family_id AND user_id = u.id ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1
    ) m ON true
    WHERE u.id = ev.author_id
  ) card ON true
     JOIN agencies agency ON agency.id = ev.agency_id;

-- TimelineEventRepository.insertAmendment
INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility, audience_user_ids,
                               audience_agency_ids, summary, body, amends_event_id, amendment_reason)
  SELECT family_id, kind, COALESCE($2, severity), occurred_at, $3, $4, visibility, audience_user_ids, audience_agency_ids,
         COALESCE($5, summary), CASE WHEN $6::boolean THEN $7 ELSE body END, id, $8
  FROM timeline_events WHERE id = $1 RETURNING id;

-- TimelineEventRepository.acknowledge
INSERT INTO event_acknowledgements (family_id, event_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id;

-- TimelineEventRepository.acknowledgers
SELECT event_id, user_id FROM event_acknowledgements WHERE event_id = ANY($1) ORDER BY acknowledged_at;
