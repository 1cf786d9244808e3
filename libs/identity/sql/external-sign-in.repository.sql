-- The statements of this repository, written by libs/identity/src/external-sign-in.repository.sql.spec.ts (`npm run sql` rewrites it).

-- ExternalSignInRepository.upsertProvider
INSERT INTO agency_identity_providers
    (agency_id, issuer, client_id, client_secret_env, email_claim, allowed_email_domains, password_sign_in,
     trust_email_without_verified_claim)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (agency_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
    client_secret_env = EXCLUDED.client_secret_env, email_claim = EXCLUDED.email_claim,
    allowed_email_domains = EXCLUDED.allowed_email_domains, password_sign_in = EXCLUDED.password_sign_in,
    trust_email_without_verified_claim = EXCLUDED.trust_email_without_verified_claim,
    updated_at = now();

-- ExternalSignInRepository.findProvider
SELECT p.agency_id, a.name AS agency_name, p.issuer, p.client_id, p.client_secret_env, p.email_claim,
         p.allowed_email_domains, p.password_sign_in, p.trust_email_without_verified_claim, p.updated_at
  FROM agency_identity_providers p JOIN agencies a ON a.id = p.agency_id WHERE p.agency_id = $1;

-- ExternalSignInRepository.listProviders
SELECT p.agency_id, a.name AS agency_name, p.issuer, p.client_id, p.client_secret_env, p.email_claim,
         p.allowed_email_domains, p.password_sign_in, p.trust_email_without_verified_claim, p.updated_at
  FROM agency_identity_providers p JOIN agencies a ON a.id = p.agency_id ORDER BY a.name;

-- ExternalSignInRepository.passwordSignInAllowed
SELECT password_sign_in FROM agency_identity_providers WHERE agency_id = $1;

-- ExternalSignInRepository.insertAttempt
DELETE FROM external_sign_in_attempts WHERE expires_at <= $1;

INSERT INTO external_sign_in_attempts (state_hash, agency_id, browser_hash, nonce, code_verifier, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6);

-- ExternalSignInRepository.takeAttempt
DELETE FROM external_sign_in_attempts WHERE state_hash = $1
  RETURNING agency_id, browser_hash, nonce, code_verifier, expires_at;

-- ExternalSignInRepository.findLinkBySubject
SELECT id, user_id FROM external_identities WHERE issuer = $1 AND subject = $2;

-- ExternalSignInRepository.isLinked
SELECT 1 FROM external_identities WHERE user_id = $1 AND issuer = $2;

-- ExternalSignInRepository.insertLink
INSERT INTO external_identities (user_id, issuer, subject, last_sign_in_at) VALUES ($1, $2, $3, $4) RETURNING id;

-- ExternalSignInRepository.touchLink
UPDATE external_identities SET last_sign_in_at = $2 WHERE id = $1;

-- ExternalSignInRepository.insertHandoff
DELETE FROM external_sign_in_handoffs WHERE expires_at <= $1;

INSERT INTO external_sign_in_handoffs (code_hash, user_id, issuer, expires_at) VALUES ($1, $2, $3, $4);

-- ExternalSignInRepository.takeHandoff
DELETE FROM external_sign_in_handoffs WHERE code_hash = $1 RETURNING user_id, issuer, expires_at;

-- ExternalSignInRepository.removeProvider
DELETE FROM agency_identity_providers WHERE agency_id = $1 RETURNING 1;
