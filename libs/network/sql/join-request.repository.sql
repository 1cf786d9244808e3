-- The statements of this repository, written by libs/network/src/repository.sql.spec.ts (`npm run sql` rewrites it).

-- JoinRequestRepository.insertPending
INSERT INTO join_requests (family_id, user_id, reason) VALUES ($1, $2, $3)
  ON CONFLICT (family_id, user_id) WHERE status = 'PENDING' DO NOTHING RETURNING id, family_id, user_id, reason, status, created_at, decided_at;

-- JoinRequestRepository.lock
SELECT id, family_id, user_id, reason, status, created_at, decided_at FROM join_requests WHERE id = $1 FOR UPDATE;

-- JoinRequestRepository.decide
UPDATE join_requests SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1 RETURNING id, family_id, user_id, reason, status, created_at, decided_at;

-- JoinRequestRepository.pending
SELECT id, family_id, user_id, reason, status, created_at, decided_at FROM join_requests WHERE family_id = $1 AND status = 'PENDING' ORDER BY created_at;
