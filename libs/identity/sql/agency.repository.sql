-- The statements of this repository, written by libs/identity/src/agency.repository.sql.spec.ts (`npm run sql` rewrites it).

-- AgencyRepository.findByIds
SELECT id, name, kind FROM agencies WHERE id = ANY($1);

-- AgencyRepository.list
SELECT id, name, kind FROM agencies ORDER BY name;

-- AgencyRepository.exists
SELECT 1 FROM agencies WHERE id = $1;

-- AgencyRepository.nameTaken
SELECT 1 FROM agencies WHERE lower(name) = lower($1);

-- AgencyRepository.insert
INSERT INTO agencies (name, kind) VALUES ($1, $2) RETURNING id, name, kind;
