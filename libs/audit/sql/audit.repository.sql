-- The statements of this repository, written by libs/audit/src/audit.repository.sql.spec.ts (`npm run sql` rewrites it).

-- AuditRepository.insert
INSERT INTO audit_entries (actor_id, actor_agency_id, actor_roles, action, outcome, subject_type, subject_id,
                             family_id, person_id, reason, detail, request_id, client_address, user_agent)
  VALUES ($1, $2, $3::text[], $4::audit_action, $5::audit_outcome, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)
  RETURNING id, at;

-- AuditRepository.page (no filter)
SELECT e.id, e.at, e.actor_id, e.actor_agency_id, e.actor_roles, e.action, e.outcome, e.subject_type,
        e.subject_id, e.family_id, e.person_id, e.reason, e.detail::text AS detail, e.request_id,
        e.client_address, e.user_agent, s.position AS seal_position, s.hash AS seal_hash
   FROM audit_entries e
   LEFT JOIN audit_seals s ON s.entry_id = e.id

  ORDER BY e.at DESC, e.id DESC
  LIMIT $1;

-- AuditRepository.page (every filter, after a cursor)
SELECT e.id, e.at, e.actor_id, e.actor_agency_id, e.actor_roles, e.action, e.outcome, e.subject_type,
        e.subject_id, e.family_id, e.person_id, e.reason, e.detail::text AS detail, e.request_id,
        e.client_address, e.user_agent, s.position AS seal_position, s.hash AS seal_hash
   FROM audit_entries e
   LEFT JOIN audit_seals s ON s.entry_id = e.id
  WHERE e.actor_id = $1::uuid AND e.actor_agency_id = $2::uuid AND e.family_id = $3::uuid AND e.person_id = $4::uuid AND e.action = $5::audit_action AND e.outcome = $6::audit_outcome AND e.at >= $7::timestamptz AND e.at < $8::timestamptz AND (e.at, e.id) < ($9::timestamptz, $10::uuid)
  ORDER BY e.at DESC, e.id DESC
  LIMIT $11;

-- AuditRepository.countRecentUnscoped
SELECT count(*)::int AS n FROM audit_entries
  WHERE actor_id = $1 AND subject_type = $2 AND family_id IS NULL AND at > now() - make_interval(mins => $3);
