-- The statements of this repository, written by libs/network/src/repository.sql.spec.ts (`npm run sql` rewrites it).

-- PersonRepository.insert
INSERT INTO persons (given_name, family_name, date_of_birth, nhs_number, school_upn, police_reference, address,
                       address_withheld, recorded_by_agency_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id;

-- PersonRepository.addToFamily
INSERT INTO family_memberships (family_id, person_id, role, added_by) VALUES ($1, $2, $3, $4);

-- PersonRepository.inFamily
SELECT p.id, fm.family_id, fm.role, p.given_name, p.family_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  p.nhs_number, p.school_upn, p.police_reference, p.address, p.address_withheld, p.recorded_by_agency_id FROM persons p JOIN family_memberships fm ON fm.person_id = p.id WHERE p.id = $1 AND fm.family_id = $2;

-- PersonRepository.ofFamilies
SELECT p.id, fm.family_id, fm.role, p.given_name, p.family_name, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
  p.nhs_number, p.school_upn, p.police_reference, p.address, p.address_withheld, p.recorded_by_agency_id FROM family_memberships fm JOIN persons p ON p.id = fm.person_id
       WHERE fm.family_id = ANY($1) AND fm.family_id = ANY($2::uuid[]) ORDER BY fm.family_id, fm.added_at, p.id;

-- PersonRepository.search
SELECT DISTINCT fm.family_id, f.lead_user_id, p.id AS person_id
  FROM persons p JOIN family_memberships fm ON fm.person_id = p.id JOIN families f ON f.id = fm.family_id
  WHERE f.status = 'OPEN'
    AND (lower(p.given_name || ' ' || p.family_name) = $1 OR (lower(p.family_name) = $1 AND $2::date IS NOT NULL))
    AND ($2::date IS NULL OR p.date_of_birth = $2::date)
  ORDER BY fm.family_id, p.id LIMIT 40;

-- PersonRepository.countInFamily
SELECT count(*)::int AS n FROM family_memberships WHERE family_id = $1 AND person_id = ANY($2);
