-- The statements of this repository, written by libs/identity/src/user.repository.sql.spec.ts (`npm run sql` rewrites it).

-- UserRepository.findById
SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         u.contact_route, u.must_change_password, a.name AS agency_name, a.kind AS agency_kind,
         EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS mfa_enabled
  FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1;

-- UserRepository.findById (locked)
SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         u.contact_route, u.must_change_password, a.name AS agency_name, a.kind AS agency_kind,
         EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS mfa_enabled
  FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1 FOR UPDATE OF u;

-- UserRepository.findByEmail
SELECT s.*, c.password_hash FROM (
  SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         u.contact_route, u.must_change_password, a.name AS agency_name, a.kind AS agency_kind,
         EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS mfa_enabled
  FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.email = $1) s LEFT JOIN credentials c ON c.user_id = s.id;

-- UserRepository.findWithCredential
SELECT s.*, c.password_hash FROM (
  SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         u.contact_route, u.must_change_password, a.name AS agency_name, a.kind AS agency_kind,
         EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS mfa_enabled
  FROM users u JOIN agencies a ON a.id = u.agency_id WHERE u.id = $1 FOR UPDATE OF u) s
       LEFT JOIN credentials c ON c.user_id = s.id;

-- UserRepository.emailTaken
SELECT 1 FROM users WHERE email = $1;

-- UserRepository.insert
INSERT INTO users (agency_id, email, display_name, job_title, phone, roles, manager_id, must_change_password)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id;

-- UserRepository.insertCredential
INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2);

-- UserRepository.setRoles
UPDATE users SET roles = $2, updated_at = now() WHERE id = $1;

-- UserRepository.disable
UPDATE users SET status = 'DISABLED', updated_at = now() WHERE id = $1;

-- UserRepository.enable
UPDATE users SET status = 'ACTIVE', updated_at = now() WHERE id = $1;

-- UserRepository.requirePasswordChange
UPDATE users SET must_change_password = true, updated_at = now() WHERE id = $1;

-- UserRepository.lockActiveHolders
SELECT id FROM users WHERE roles @> ARRAY[$1]::text[] AND status = 'ACTIVE' AND ($2::uuid IS NULL OR agency_id = $2) FOR UPDATE;

-- UserRepository.isActiveManagerIn
SELECT 1 FROM users WHERE id = $1 AND agency_id = $2 AND roles @> ARRAY['MANAGER']::text[] AND status = 'ACTIVE';

-- UserRepository.setPassword
INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)
  ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now();

UPDATE users SET must_change_password = false, updated_at = now() WHERE id = $1;

-- UserRepository.updateContactCard
UPDATE users SET
    job_title = CASE WHEN $2 THEN $3 ELSE job_title END,
    phone = CASE WHEN $4 THEN $5 ELSE phone END,
    contact_route = CASE WHEN $6 THEN $7 ELSE contact_route END,
    updated_at = now()
  WHERE id = $1;

-- UserRepository.findEmail
SELECT email FROM users WHERE id = $1;

-- UserRepository.page
SELECT u.id, u.agency_id, u.email, u.display_name, u.job_title, u.phone, u.roles, u.status, u.manager_id,
         u.contact_route, u.must_change_password, a.name AS agency_name, a.kind AS agency_kind,
         EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL) AS mfa_enabled
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

-- UserRepository.contacts
SELECT id, agency_id, email, status FROM users WHERE id = ANY($1::uuid[]);

-- UserRepository.isActiveCaseWorker
SELECT 1 FROM users WHERE id = $1 AND status = 'ACTIVE' AND roles && ARRAY['PRACTITIONER','MANAGER']::text[];

-- UserRepository.activeManagersOf
SELECT DISTINCT m.id FROM users u JOIN users m ON m.id = u.manager_id
  WHERE u.id = ANY($1::uuid[]) AND m.status = 'ACTIVE';

-- UserRepository.countExisting
SELECT count(*)::int AS n FROM users WHERE id = ANY($1);

-- UserRepository.countExistingAgencies
SELECT count(*)::int AS n FROM agencies WHERE id = ANY($1);
