-- The statements of this repository, written by libs/alerts/src/repository.sql.spec.ts (`npm run sql` rewrites it).

-- RuleRepository.all
SELECT r.id, r.name, r.current_version AS version, v.kind, r.enabled, v.definition, r.updated_at
  FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version ORDER BY r.name;

-- RuleRepository.byIds
SELECT r.id, r.name, r.current_version AS version, v.kind, r.enabled, v.definition, r.updated_at
  FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version WHERE r.id = ANY($1);

-- RuleRepository.byId
SELECT r.id, r.name, r.current_version AS version, v.kind, r.enabled, v.definition, r.updated_at
  FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version WHERE r.id = $1;

-- RuleRepository.enabled
SELECT r.id, r.name, r.current_version AS version, v.kind, r.enabled, v.definition, r.updated_at
  FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version WHERE r.enabled;

-- RuleRepository.enabledFingerprint
SELECT COALESCE(md5(string_agg(id::text || ':' || current_version || ':' || name, ',' ORDER BY id)), '') AS fingerprint
  FROM rules WHERE enabled;

-- RuleRepository.lockCurrentVersion
SELECT current_version FROM rules WHERE id = $1 FOR UPDATE;

-- RuleRepository.update
UPDATE rules SET name = $2, current_version = $3, enabled = COALESCE($4, enabled), updated_at = now() WHERE id = $1;

-- RuleRepository.setEnabled
UPDATE rules SET enabled = $2, updated_at = now() WHERE id = $1 RETURNING id;

-- RuleRepository.insert
INSERT INTO rules (name, enabled, current_version) VALUES ($1, $2, 1) RETURNING id;

-- RuleRepository.insertVersion
INSERT INTO rule_versions (rule_id, version, kind, definition, created_by) VALUES ($1, $2, $3, $4, $5);
