-- The statements of this repository, written by libs/network/src/repository.sql.spec.ts (`npm run sql` rewrites it).

-- MembershipRepository.active
SELECT family_id, user_id, role, added_at, expires_at FROM active_network_members
  WHERE family_id = ANY($1)
  ORDER BY family_id, role = 'LEAD' DESC, added_at;

-- MembershipRepository.isActive
SELECT 1 FROM active_network_members WHERE family_id = $1 AND user_id = $2;

-- MembershipRepository.closeExpired
UPDATE network_members m SET removed_at = m.expires_at
  WHERE m.family_id = $1 AND m.user_id = $2 AND m.removed_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM active_network_members a WHERE a.id = m.id);

-- MembershipRepository.userIdFor
SELECT user_id FROM network_members WHERE family_id = $1 AND (user_id = $2 OR public_id = $2)
  ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1;

-- MembershipRepository.setSensitivity
UPDATE network_members SET sensitive = $3, contact_route = $4
  WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING family_id, user_id, role, added_at, expires_at;

-- MembershipRepository.remove
UPDATE network_members SET removed_at = now(), removed_by = $3
  WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING id;

-- MembershipRepository.handOverLead
UPDATE network_members SET role = 'MEMBER' WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL;

UPDATE network_members SET role = 'LEAD', expires_at = NULL WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL;

-- MembershipRepository.insertLead
INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'LEAD', $2);

-- MembershipRepository.insertMember
INSERT INTO network_members (family_id, user_id, role, added_by, expires_at)
  VALUES ($1, $2, 'MEMBER', $3, $4) RETURNING family_id, user_id, role, added_at, expires_at;

-- MembershipRepository.insertMemberIfAbsent
INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'MEMBER', $3)
  ON CONFLICT (family_id, user_id) WHERE removed_at IS NULL DO NOTHING RETURNING id;

-- MembershipRepository.cards
SELECT k.family_id, c.* FROM unnest($1::uuid[], $2::uuid[]) AS k(family_id, user_id)
  LEFT JOIN LATERAL (
    SELECT u.id, u.display_name, u.job_title, u.phone, u.email, a.id AS agency_id, a.name AS agency_name,
           a.kind AS agency_kind, m.sensitive, m.contact_route, m.public_id
    FROM users u
    JOIN agencies a ON a.id = u.agency_id
    LEFT JOIN LATERAL (
      SELECT sensitive, contact_route, public_id FROM network_members
      WHERE family_id = k.family_id AND user_id = u.id ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1
    ) m ON true
    WHERE u.id = k.user_id
  ) c ON true;
