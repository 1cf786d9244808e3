-- The statements of this repository, written by libs/network/src/relationship.repository.sql.spec.ts (`npm run sql` rewrites it).

-- RelationshipRepository.ofUser
SELECT family_id, user_id, agency_id, agency_kind, roles, via FROM family_relationships WHERE user_id = $1;

-- RelationshipRepository.ofUser (with the session check)
SELECT u.agency_id, u.roles, u.status, s.revoked_at, s.expires_at, s.mfa_verified,
       (SELECT coalesce(json_agg(f), '[]'::json) FROM (SELECT family_id, user_id, agency_id, agency_kind, roles, via FROM family_relationships WHERE user_id = $1) f) AS facts
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.id = $1 AND s.id = $2;

-- RelationshipRepository.ofFamilies
SELECT family_id, user_id, agency_id, agency_kind, roles, via FROM family_relationships
  WHERE family_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR user_id = ANY($2::uuid[]));

-- RelationshipRepository.ofFamilies (some users)
SELECT family_id, user_id, agency_id, agency_kind, roles, via FROM family_relationships
  WHERE family_id = ANY($1::uuid[]) AND ($2::uuid[] IS NULL OR user_id = ANY($2::uuid[]));
