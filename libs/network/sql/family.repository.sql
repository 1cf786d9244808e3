-- The statements of this repository, written by libs/network/src/repository.sql.spec.ts (`npm run sql` rewrites it).

-- FamilyRepository.visible
SELECT f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at FROM families f WHERE f.id = $1 AND f.id = ANY($2::uuid[]);

-- FamilyRepository.visible (locked)
SELECT f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at FROM families f WHERE f.id = $1 AND f.id = ANY($2::uuid[]) FOR UPDATE;

-- FamilyRepository.visibleAmong
SELECT f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at FROM families f WHERE f.id = ANY($1) AND f.id = ANY($2::uuid[]);

-- FamilyRepository.page
SELECT f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at FROM families f
  WHERE f.id = ANY($4::uuid[]) AND ($1::timestamptz IS NULL OR (f.created_at, f.id) < ($1::timestamptz, $2::uuid))
  ORDER BY f.created_at DESC, f.id DESC LIMIT $3;

-- FamilyRepository.referenceTaken
SELECT 1 FROM families WHERE lower(reference) = lower($1);

-- FamilyRepository.isOpen
SELECT 1 FROM families WHERE id = $1 AND status = 'OPEN';

-- FamilyRepository.setProtectionStatus
UPDATE families f SET protection_status = $2 WHERE id = $1 RETURNING f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at;

-- FamilyRepository.setLead
UPDATE families f SET lead_user_id = $2 WHERE id = $1 RETURNING f.id, f.reference, f.status, f.protection_status, f.lead_user_id, f.created_at;

-- FamilyRepository.protectionStatus
SELECT protection_status FROM families WHERE id = $1;

-- FamilyRepository.protectionAndChildren
SELECT (SELECT protection_status FROM families WHERE id = $1) AS protection_status,
  (SELECT array_agg(p.id) FROM family_memberships fm JOIN persons p ON p.id = fm.person_id
   WHERE fm.family_id = $1 AND fm.person_id = ANY($2::uuid[]) AND fm.role = 'CHILD'
     AND ($3::int IS NULL OR p.date_of_birth > ($4::timestamptz - make_interval(months => $3))::date)) AS children;

-- FamilyRepository.openWithProtectionStatus
SELECT f.id, f.created_at FROM families f WHERE f.status = 'OPEN' AND f.protection_status = ANY($1);
