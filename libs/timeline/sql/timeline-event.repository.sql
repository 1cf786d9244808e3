-- The statements of this repository, written by libs/timeline/src/timeline-event.repository.sql.spec.ts (`npm run sql` rewrites it).

-- TimelineEventRepository.countInWindow
SELECT count(*)::int AS n, count(DISTINCT agency_id)::int AS agencies,
         array_agg(id ORDER BY occurred_at, id) AS ids, array_agg(kind ORDER BY occurred_at, id) AS kinds, min(occurred_at) AS first
  FROM timeline_events
  WHERE family_id = $1 AND kind = ANY($2) AND array_position($3::text[], severity) >= $4
    AND occurred_at > $5::timestamptz - make_interval(days => $6) AND occurred_at <= $5 AND amends_event_id IS NULL;

-- TimelineEventRepository.latestInWindow
SELECT id, kind FROM timeline_events
  WHERE family_id = $1 AND kind = ANY($2) AND id <> $3 AND amends_event_id IS NULL
    AND occurred_at >= $4::timestamptz - make_interval(days => $5) AND occurred_at <= $4
  ORDER BY occurred_at DESC LIMIT 1;

-- TimelineEventRepository.lastRecorded
SELECT f.family_id, (SELECT max(recorded_at) FROM timeline_events e WHERE e.family_id = f.family_id) AS last
  FROM unnest($1::uuid[]) AS f(family_id);
