-- The statements of this repository, written by libs/audit/src/audit.repository.sql.spec.ts (`npm run sql` rewrites it).

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
