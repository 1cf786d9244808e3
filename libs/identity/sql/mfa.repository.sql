-- The statements of this repository, written by libs/identity/src/mfa.repository.sql.spec.ts (`npm run sql` rewrites it).

-- MfaRepository.isEnrolled
SELECT 1 FROM mfa_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL;

-- MfaRepository.upsertPending
INSERT INTO mfa_factors (user_id, secret_box) VALUES ($1, $2)
  ON CONFLICT (user_id) DO UPDATE SET secret_box = EXCLUDED.secret_box, created_at = now(),
    last_used_step = NULL, attempts = 0, window_started_at = now()
  WHERE mfa_factors.confirmed_at IS NULL
  RETURNING 1;

-- MfaRepository.findSecretBox
SELECT secret_box FROM mfa_factors WHERE user_id = $1 AND (confirmed_at IS NOT NULL) = $2;

-- MfaRepository.countAttempt
UPDATE mfa_factors SET
    attempts = CASE WHEN window_started_at < now() - make_interval(mins => $2) THEN 1 ELSE attempts + 1 END,
    window_started_at = CASE WHEN window_started_at < now() - make_interval(mins => $2) THEN now() ELSE window_started_at END
  WHERE user_id = $1 RETURNING attempts;

-- MfaRepository.confirm
UPDATE mfa_factors SET confirmed_at = now(), last_used_step = $2, attempts = greatest(attempts - 1, 0)
  WHERE user_id = $1 AND confirmed_at IS NULL RETURNING 1;

-- MfaRepository.replaceRecoveryCodes
DELETE FROM mfa_recovery_codes WHERE user_id = $1;

INSERT INTO mfa_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[]);

-- MfaRepository.useStep
UPDATE mfa_factors SET last_used_step = $2, attempts = greatest(attempts - 1, 0)
  WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING 1;

-- MfaRepository.spendRecoveryCode
UPDATE mfa_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
  RETURNING id;

-- MfaRepository.removeAll
DELETE FROM mfa_recovery_codes WHERE user_id = $1;

DELETE FROM mfa_factors WHERE user_id = $1;
