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

-- AuditChainRepository.tryLockSealer
SELECT pg_try_advisory_xact_lock(hashtextextended('hearth.audit.sealer', 0)) AS locked;

-- AuditChainRepository.head
SELECT position, hash, entry_id::text AS "entryId", entry_txid::text AS "entryTxid"
  FROM audit_seals ORDER BY position DESC LIMIT 1;

-- AuditChainRepository.settledAfter (from the start)
SELECT
  e.id::text AS id,
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
  e.actor_id::text AS actor_id,
  e.actor_agency_id::text AS actor_agency_id,
  e.actor_roles::text AS actor_roles,
  e.action::text AS action,
  e.outcome::text AS outcome,
  e.subject_type,
  e.subject_id,
  e.family_id::text AS family_id,
  e.person_id::text AS person_id,
  e.reason,
  e.detail::text AS detail,
  e.request_id,
  e.client_address,
  e.user_agent,
  e.txid::text AS txid
         FROM audit_entries e
        WHERE e.txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.txid, e.id
        LIMIT $1;

-- AuditChainRepository.settledAfter (after a head)
SELECT
  e.id::text AS id,
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
  e.actor_id::text AS actor_id,
  e.actor_agency_id::text AS actor_agency_id,
  e.actor_roles::text AS actor_roles,
  e.action::text AS action,
  e.outcome::text AS outcome,
  e.subject_type,
  e.subject_id,
  e.family_id::text AS family_id,
  e.person_id::text AS person_id,
  e.reason,
  e.detail::text AS detail,
  e.request_id,
  e.client_address,
  e.user_agent,
  e.txid::text AS txid
         FROM audit_entries e
        WHERE e.txid < pg_snapshot_xmin(pg_current_snapshot()) AND (e.txid, e.id) > ($2::xid8, $3::uuid)
        ORDER BY e.txid, e.id
        LIMIT $1;

-- AuditChainRepository.insertSeals
INSERT INTO audit_seals (entry_id, position, entry_txid, prev_hash, hash, sealed_at)
  SELECT entry_id, position, entry_txid, prev_hash, hash, $6
    FROM unnest($1::uuid[], $2::bigint[], $3::xid8[], $4::text[], $5::text[])
         AS s(entry_id, position, entry_txid, prev_hash, hash);

-- AuditChainRepository.insertCheckpoint
INSERT INTO audit_checkpoints (position, head_hash, at) VALUES ($1, $2, $3);

-- AuditChainRepository.sealsAfter
SELECT s.position AS seal_position, s.entry_id::text AS seal_entry_id, s.entry_txid::text AS seal_entry_txid,
              s.prev_hash AS seal_prev_hash, s.hash AS seal_hash,
  e.id::text AS id,
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
  e.actor_id::text AS actor_id,
  e.actor_agency_id::text AS actor_agency_id,
  e.actor_roles::text AS actor_roles,
  e.action::text AS action,
  e.outcome::text AS outcome,
  e.subject_type,
  e.subject_id,
  e.family_id::text AS family_id,
  e.person_id::text AS person_id,
  e.reason,
  e.detail::text AS detail,
  e.request_id,
  e.client_address,
  e.user_agent,
  e.txid::text AS txid
         FROM audit_seals s
         LEFT JOIN audit_entries e ON e.id = s.entry_id
        WHERE s.position > $1
        ORDER BY s.position
        LIMIT $2;

-- AuditChainRepository.hasSealsAfter
SELECT EXISTS (SELECT 1 FROM audit_seals WHERE position > $1) AS grown;

-- AuditChainRepository.checkpointsAfter
SELECT position, head_hash FROM audit_checkpoints WHERE position > $1 ORDER BY position LIMIT $2;

-- AuditChainRepository.countThrough
SELECT count(*) AS n FROM audit_entries WHERE (txid, id) <= ($1::xid8, $2::uuid);

-- AuditChainRepository.firstUnsealedThrough
SELECT e.id::text AS id FROM audit_entries e
  WHERE (e.txid, e.id) <= ($1::xid8, $2::uuid)
    AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)
  ORDER BY e.txid, e.id LIMIT 1;

-- AuditChainRepository.countAfter (from the start)
SELECT count(*) AS n FROM audit_entries;

-- AuditChainRepository.countAfter (after a head)
SELECT count(*) AS n FROM audit_entries WHERE (txid, id) > ($1::xid8, $2::uuid);
