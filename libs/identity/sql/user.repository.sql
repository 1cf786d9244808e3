-- The statements of this repository, written by libs/identity/src/user.repository.sql.spec.ts (`npm run sql` rewrites it).

-- UserRepository.findById
SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         a.name AS agency_name, a.kind AS agency_kind
  FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1;

-- UserRepository.findById (locked)
SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         a.name AS agency_name, a.kind AS agency_kind
  FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1 FOR UPDATE OF u;

-- UserRepository.findByEmail
SELECT s.*, c.password_hash FROM (
  SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         a.name AS agency_name, a.kind AS agency_kind
  FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.email = $1) s LEFT JOIN credentials c ON c.user_id = s.id;

-- UserRepository.page
SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         a.name AS agency_name, a.kind AS agency_kind
  FROM users u JOIN agencies a ON a.id = u.agency_id
       WHERE ($1::uuid IS NULL OR u.agency_id = $1) AND ($2::text IS NULL OR u.email > $2)
       ORDER BY u.email LIMIT $3;

-- UserRepository.countOtherActiveHolders
SELECT count(*)::int AS n FROM users
  WHERE roles @> ARRAY[$1]::text[] AND status = 'ACTIVE' AND id <> $2 AND ($3::uuid IS NULL OR agency_id = $3);

-- UserRepository.activeHolders
SELECT id FROM users WHERE id = ANY($1::uuid[]) AND status = 'ACTIVE' AND roles @> ARRAY[$2]::text[];

-- UserRepository.allActiveHolders
SELECT id FROM users WHERE status = 'ACTIVE' AND roles @> ARRAY[$1]::text[];

-- UserRepository.isActiveCaseWorker
SELECT 1 FROM users WHERE id = $1 AND status = 'ACTIVE' AND roles && ARRAY['PRACTITIONER','MANAGER']::text[];

-- UserRepository.activeManagersOf
SELECT DISTINCT m.id FROM users u JOIN users m ON m.id = u.manager_id
  WHERE u.id = ANY($1::uuid[]) AND m.status = 'ACTIVE';

-- UserRepository.countExisting
SELECT count(*)::int AS n FROM users WHERE id = ANY($1);

-- UserRepository.countExistingAgencies
SELECT count(*)::int AS n FROM agencies WHERE id = ANY($1);
