-- The statements of this repository, written by libs/identity/src/password-reset.repository.sql.spec.ts (`npm run sql` rewrites it).

-- PasswordResetRepository.voidOpen
UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL;

-- PasswordResetRepository.insert
INSERT INTO password_resets (user_id, issued_by, token_hash, expires_at)
  VALUES ($1, $2, $3, now() + make_interval(mins => $4)) RETURNING id, expires_at;

-- PasswordResetRepository.findByTokenHash
SELECT r.id, r.user_id, (r.used_at IS NULL AND now() < r.expires_at AND u.status = 'ACTIVE') AS live
  FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1;

-- PasswordResetRepository.spend
UPDATE password_resets SET used_at = now() WHERE id = $1 AND used_at IS NULL AND now() < expires_at RETURNING 1;
