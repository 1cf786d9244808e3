-- The statements of this repository, written by libs/alerts/src/repository.sql.spec.ts (`npm run sql` rewrites it).

-- AlertRepository.insertUnlessDuplicate
INSERT INTO alerts (family_id, rule_id, rule_version, rag, dedup_key, explanation, matched_event_ids, raised_at, due_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING RETURNING id;

-- AlertRepository.addRecipients
INSERT INTO alert_recipients (alert_id, family_id, user_id, reason) SELECT $1, $2, unnest($3::uuid[]), 'RECIPIENT';

-- AlertRepository.addEscalationRecipients
INSERT INTO alert_recipients (alert_id, family_id, user_id, reason)
  SELECT DISTINCT $1::uuid, $2::uuid, unnest($3::uuid[]), 'ESCALATION'
  ON CONFLICT DO NOTHING RETURNING user_id AS id;

-- AlertRepository.recordAt
INSERT INTO alert_history (alert_id, family_id, at, change, note) VALUES ($1, $2, $3, $4, $5);

-- AlertRepository.recordBy
INSERT INTO alert_history (alert_id, family_id, actor_id, change, note) VALUES ($1, $2, $3, $4, $5);

-- AlertRepository.recipients
SELECT user_id FROM alert_recipients WHERE alert_id = $1;

-- AlertRepository.addressedPairs
SELECT alert_id, user_id FROM alert_recipients WHERE alert_id = ANY($1::uuid[]) AND user_id = ANY($2::uuid[]);

-- AlertRepository.pageFor
SELECT a.id, a.family_id, a.rule_id, a.rule_version, a.rag, a.status, a.explanation, a.matched_event_ids, a.raised_at,
  a.due_by, a.acknowledged_by, a.acknowledged_at, a.escalated_at, a.resolved_at FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id
       WHERE r.user_id = $1 AND a.family_id = ANY($2) AND ($3::text IS NULL OR a.status = $3)
         AND ($4::timestamptz IS NULL OR (a.raised_at, a.id) < ($4::timestamptz, $5::uuid))
       ORDER BY a.raised_at DESC, a.id DESC LIMIT $6;

-- AlertRepository.lockAddressedTo
SELECT a.id, a.family_id, a.rule_id, a.rule_version, a.rag, a.status, a.explanation, a.matched_event_ids, a.raised_at,
  a.due_by, a.acknowledged_by, a.acknowledged_at, a.escalated_at, a.resolved_at FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id AND r.user_id = $2
       WHERE a.id = $1 AND a.family_id = ANY($3) FOR UPDATE OF a;

-- AlertRepository.acknowledge
UPDATE alerts a SET status = 'ACKNOWLEDGED', acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 RETURNING a.id, a.family_id, a.rule_id, a.rule_version, a.rag, a.status, a.explanation, a.matched_event_ids, a.raised_at,
  a.due_by, a.acknowledged_by, a.acknowledged_at, a.escalated_at, a.resolved_at;

-- AlertRepository.resolve
UPDATE alerts a SET status = 'RESOLVED', resolved_by = $2, resolved_at = now(), resolution_note = $3,
         acknowledged_by = COALESCE(acknowledged_by, $2), acknowledged_at = COALESCE(acknowledged_at, now())
       WHERE id = $1 RETURNING a.id, a.family_id, a.rule_id, a.rule_version, a.rag, a.status, a.explanation, a.matched_event_ids, a.raised_at,
  a.due_by, a.acknowledged_by, a.acknowledged_at, a.escalated_at, a.resolved_at;

-- AlertRepository.claimDue
UPDATE alerts a SET status = 'ESCALATED', escalated_at = $1
  FROM (SELECT id FROM alerts WHERE status = 'OPEN' AND due_by <= $1 ORDER BY due_by LIMIT $2 FOR UPDATE SKIP LOCKED) due
  WHERE a.id = due.id RETURNING a.id, a.family_id, a.rag;

-- AlertRepository.tryLockAbsenceRules
SELECT pg_try_advisory_xact_lock(hashtext('hearth:absence-rules')) AS ok;
