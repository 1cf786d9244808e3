-- The statements of this repository, written by libs/identity/src/session.repository.sql.spec.ts (`npm run sql` rewrites it).

-- SessionRepository.open
INSERT INTO sessions (user_id, expires_at, mfa_verified) VALUES ($1, now() + make_interval(secs => $2), $3) RETURNING id;

-- SessionRepository.insertRefreshToken
INSERT INTO refresh_tokens (session_id, token_hash) VALUES ($1, $2);

-- SessionRepository.findRefreshTokenForUpdate
SELECT t.id, t.used_at, s.id AS session_id, s.user_id, s.revoked_at, s.expires_at
  FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
  WHERE t.token_hash = $1 FOR UPDATE OF t, s;

-- SessionRepository.markRefreshTokenUsed
UPDATE refresh_tokens SET used_at = now() WHERE id = $1;

-- SessionRepository.findForCheck
SELECT u.agency_id, u.roles, u.status, s.revoked_at, s.expires_at, s.mfa_verified
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND u.id = $2;

-- SessionRepository.findForCheckWithFacts (a stand-in for the facts)
SELECT u.agency_id, u.roles, u.status, s.revoked_at, s.expires_at, s.mfa_verified,
       (SELECT coalesce(json_agg(f), '[]'::json) FROM (SELECT $1::uuid AS user_id) f) AS facts
  FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.id = $1 AND s.id = $2;

-- SessionRepository.markMfaVerified
UPDATE sessions SET mfa_verified = true WHERE id = $1;

-- SessionRepository.revoke
UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL;

-- SessionRepository.revokeOthers
UPDATE sessions SET revoked_at = now(), revoked_reason = $3
  WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id;

-- SessionRepository.revokeAll
UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL;
