// Statements Hearth issues, copied verbatim for the baselines (libs/network access.service.ts and
// libs/audit audit.repository.ts). If those change, change these.
export const FACTS_SQL = `SELECT family_id, bool_or(decides) AS decides, bool_and(granted) AS granted FROM (
         SELECT m.family_id, (m.role = 'LEAD' OR $2) AS decides, false AS granted
         FROM network_members m
         WHERE m.user_id = $1 AND m.removed_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())
         UNION ALL
         SELECT m.family_id, true, false
         FROM network_members m JOIN users u ON u.id = m.user_id
         WHERE $2 AND u.manager_id = $1 AND m.removed_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())
         UNION ALL
         SELECT g.family_id, false, true FROM access_grants g WHERE g.user_id = $1 AND g.expires_at > now()
       ) access GROUP BY family_id`;

export const AUDIT_INSERT_SQL = `INSERT INTO audit_entries (actor_id, actor_agency_id, actor_roles, action, outcome, subject_type, subject_id,
                                  family_id, person_id, reason, detail, request_id, client_address, user_agent)
       VALUES ($1, $2, $3::text[], $4::audit_action, $5::audit_outcome, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)
       RETURNING id, at`;
