import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The seven default rules of PRODUCT.md as they first shipped (version 1, enabled). */
const DEFAULT_RULES: [string, string, object][] = [
  [
    '6f1c0d2e-0001-4c1a-9a51-000000000001',
    'Multi-agency concerns',
    {
      kind: 'THRESHOLD',
      eventKinds: ['CONCERN', 'INCIDENT', 'MISSING_EPISODE', 'DOMESTIC_ABUSE_INCIDENT', 'INJURY'],
      minSeverity: 'MEDIUM',
      minCount: 3,
      minAgencies: 2,
      windowDays: 30,
      rag: 'AMBER',
      recipients: ['LEAD', 'NETWORK'],
    },
  ],
  [
    '6f1c0d2e-0002-4c1a-9a51-000000000002',
    'Domestic abuse notification (Operation Encompass)',
    {
      kind: 'TRIGGER',
      eventKinds: ['DOMESTIC_ABUSE_INCIDENT'],
      postedByAgencyKinds: ['POLICE'],
      concernsChild: true,
      rag: 'RED',
      recipients: [{ agencyKind: 'EDUCATION' }],
    },
  ],
  [
    '6f1c0d2e-0003-4c1a-9a51-000000000003',
    'Unscheduled care for a child on a plan (CP-IS)',
    {
      kind: 'TRIGGER',
      eventKinds: ['UNSCHEDULED_CARE_ATTENDANCE'],
      concernsChild: true,
      familyProtectionStatuses: ['CHILD_PROTECTION_PLAN', 'LOOKED_AFTER'],
      rag: 'RED',
      recipients: ['LEAD'],
    },
  ],
  [
    '6f1c0d2e-0004-4c1a-9a51-000000000004',
    'Injury to a non-mobile baby',
    {
      kind: 'TRIGGER',
      eventKinds: ['INJURY'],
      concernsChild: true,
      childUnderMonths: 12,
      rag: 'RED',
      recipients: ['LEAD', 'NETWORK'],
    },
  ],
  [
    '6f1c0d2e-0005-4c1a-9a51-000000000005',
    'Repeat incidents',
    {
      kind: 'THRESHOLD',
      eventKinds: ['DOMESTIC_ABUSE_INCIDENT', 'INCIDENT'],
      minSeverity: 'INFO',
      minCount: 3,
      minAgencies: 1,
      windowDays: 365,
      rag: 'AMBER',
      recipients: ['LEAD'],
    },
  ],
  [
    '6f1c0d2e-0006-4c1a-9a51-000000000006',
    'Network gap',
    {
      kind: 'NETWORK_GAP',
      agencyKinds: ['EDUCATION', 'HEALTH'],
      familyProtectionStatuses: ['CHILD_PROTECTION_PLAN'],
      rag: 'GREEN',
      recipients: ['LEAD'],
    },
  ],
  [
    '6f1c0d2e-0007-4c1a-9a51-000000000007',
    'Silence',
    {
      kind: 'ABSENCE',
      familyProtectionStatuses: ['CHILD_PROTECTION_PLAN'],
      days: 10,
      rag: 'AMBER',
      recipients: ['LEAD'],
    },
  ],
];

export class CreateAlerts1795326643061 implements MigrationInterface {
  name = 'CreateAlerts1795326643061';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        current_version integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE rule_versions (
        rule_id uuid NOT NULL REFERENCES rules(id),
        version integer NOT NULL,
        kind text NOT NULL CHECK (kind IN ('THRESHOLD','SEQUENCE','TRIGGER','ABSENCE','NETWORK_GAP')),
        definition jsonb NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule_id, version)
      )`);
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES families(id),
        rule_id uuid NOT NULL REFERENCES rules(id),
        rule_version integer NOT NULL,
        rag text NOT NULL CHECK (rag IN ('RED','AMBER','GREEN')),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','ACKNOWLEDGED','ESCALATED','RESOLVED')),
        dedup_key text NOT NULL,
        explanation text NOT NULL,
        matched_event_ids uuid[] NOT NULL DEFAULT '{}',
        raised_at timestamptz NOT NULL DEFAULT now(),
        due_by timestamptz NOT NULL,
        acknowledged_by uuid REFERENCES users(id),
        acknowledged_at timestamptz,
        escalated_at timestamptz,
        resolved_by uuid REFERENCES users(id),
        resolved_at timestamptz,
        resolution_note text,
        FOREIGN KEY (rule_id, rule_version) REFERENCES rule_versions(rule_id, version)
      )`);
    await q.query(`CREATE UNIQUE INDEX alerts_dedup_key ON alerts (dedup_key)`);
    await q.query(`CREATE INDEX alerts_due_idx ON alerts (due_by) WHERE status = 'OPEN'`);
    await q.query(`CREATE INDEX alerts_family_idx ON alerts (family_id, raised_at DESC)`);
    await q.query(`
      CREATE TABLE alert_recipients (
        alert_id uuid NOT NULL REFERENCES alerts(id),
        family_id uuid NOT NULL REFERENCES families(id),
        user_id uuid NOT NULL REFERENCES users(id),
        reason text NOT NULL CHECK (reason IN ('RECIPIENT','ESCALATION')),
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (alert_id, user_id)
      )`);
    await q.query(`CREATE INDEX alert_recipients_user_idx ON alert_recipients (user_id, alert_id)`);
    await q.query(`
      CREATE TABLE alert_history (
        id bigserial PRIMARY KEY,
        alert_id uuid NOT NULL REFERENCES alerts(id),
        family_id uuid NOT NULL REFERENCES families(id),
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES users(id),
        change text NOT NULL,
        note text
      )`);
    await q.query(`CREATE INDEX alert_history_alert_idx ON alert_history (alert_id, at)`);
    // Rule evaluation counts a family's events by kind over a window.
    await q.query(
      `CREATE INDEX timeline_events_family_kind_time_idx ON timeline_events (family_id, kind, occurred_at)`,
    );
    await q.query(`CREATE INDEX timeline_events_family_recorded_idx ON timeline_events (family_id, recorded_at DESC)`);
    for (const [id, name, definition] of DEFAULT_RULES) {
      await q.query(`INSERT INTO rules (id, name, current_version) VALUES ($1, $2, 1)`, [id, name]);
      await q.query(`INSERT INTO rule_versions (rule_id, version, kind, definition) VALUES ($1, 1, $2, $3)`, [
        id,
        (definition as { kind: string }).kind,
        JSON.stringify(definition),
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX timeline_events_family_recorded_idx`);
    await q.query(`DROP INDEX timeline_events_family_kind_time_idx`);
    for (const table of ['alert_history', 'alert_recipients', 'alerts', 'rule_versions', 'rules'])
      await q.query(`DROP TABLE ${table}`);
  }
}
