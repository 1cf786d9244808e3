-- The statements of this repository, written by libs/identity/src/directory.repository.sql.spec.ts (`npm run sql` rewrites it).

-- DirectoryRepository.search
SELECT u.id, u.display_name, u.job_title, u.phone, u.email, u.contact_route, u.roles,
         a.id AS agency_id, a.name AS agency_name, a.kind AS agency_kind
  FROM users u JOIN agencies a ON a.id = u.agency_id
  WHERE u.status = 'ACTIVE' AND u.roles && $1::text[] AND u.id <> $2
    AND ($3::uuid IS NULL OR u.agency_id = $3)
    AND ($4::text IS NULL OR u.roles @> ARRAY[$4]::text[])
    AND (u.display_name ILIKE $5 OR a.name ILIKE $5)
  ORDER BY u.display_name, u.id LIMIT $6;

-- DirectoryRepository.countSearch
INSERT INTO directory_search_counts AS c (user_id, searches, window_started_at) VALUES ($1, 1, now())
  ON CONFLICT (user_id) DO UPDATE SET
    searches = CASE WHEN c.window_started_at < now() - make_interval(mins => $2) THEN 1 ELSE c.searches + 1 END,
    window_started_at = CASE WHEN c.window_started_at < now() - make_interval(mins => $2) THEN now() ELSE c.window_started_at END
  RETURNING searches;
