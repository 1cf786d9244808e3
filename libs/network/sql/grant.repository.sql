-- The statements of this repository, written by libs/network/src/repository.sql.spec.ts (`npm run sql` rewrites it).

-- GrantRepository.countRecent
SELECT pg_advisory_xact_lock(hashtextextended('hearth.break-glass:' || $1, 0));

SELECT count(*)::int AS n FROM access_grants WHERE user_id = $1 AND granted_at > now() - interval '30 days';

-- GrantRepository.review
UPDATE access_grants SET review_outcome = $2, review_note = $3, reviewed_by = $4, reviewed_at = now()
  WHERE id = $1 AND review_outcome IS NULL RETURNING id, family_id, user_id, reason, granted_at, expires_at, flagged, review_outcome, review_note, reviewed_at;

-- GrantRepository.exists
SELECT 1 FROM access_grants WHERE id = $1;

-- GrantRepository.page
SELECT id, family_id, user_id, reason, granted_at, expires_at, flagged, review_outcome, review_note, reviewed_at FROM access_grants
  WHERE ($1::boolean IS NOT TRUE OR review_outcome IS NULL)
    AND ($2::timestamptz IS NULL OR (granted_at, id) < ($2::timestamptz, $3::uuid))
  ORDER BY granted_at DESC, id DESC LIMIT $4;

-- GrantRepository.insert
INSERT INTO access_grants (family_id, user_id, reason, expires_at, flagged)
  VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5) RETURNING id, family_id, user_id, reason, granted_at, expires_at, flagged, review_outcome, review_note, reviewed_at;
