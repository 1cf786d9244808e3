import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedQuery, updateReturning } from '@hearth/database';
import type { AlertModel, AlertStatus, Rag } from './alert.models.js';

export interface AlertRow {
  id: string;
  family_id: string;
  rule_id: string;
  rule_version: number;
  rag: Rag;
  status: AlertStatus;
  explanation: string;
  matched_event_ids: string[];
  raised_at: Date;
  due_by: Date;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  escalated_at: Date | null;
  resolved_at: Date | null;
}

/** An alert as a rule raises it. */
export interface NewAlert {
  readonly familyId: string;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly rag: string;
  readonly dedupKey: string;
  readonly explanation: string;
  readonly matchedEventIds: readonly string[];
  readonly raisedAt: Date;
  readonly dueBy: Date;
}

const ALERT_COLUMNS = `a.id, a.family_id, a.rule_id, a.rule_version, a.rag, a.status, a.explanation, a.matched_event_ids, a.raised_at,
  a.due_by, a.acknowledged_by, a.acknowledged_at, a.escalated_at, a.resolved_at`;

export function toAlertModel(row: AlertRow): AlertModel {
  return {
    id: row.id,
    familyId: row.family_id,
    ruleId: row.rule_id,
    ruleVersion: row.rule_version,
    matchedEventIds: row.matched_event_ids,
    acknowledgedById: row.acknowledged_by,
    rag: row.rag,
    status: row.status,
    explanation: row.explanation,
    raisedAt: row.raised_at,
    dueBy: row.due_by,
    acknowledgedAt: row.acknowledged_at,
    escalatedAt: row.escalated_at,
    resolvedAt: row.resolved_at,
  };
}

/** Alerts (`alerts`), who they are addressed to (`alert_recipients`) and their history (`alert_history`). */
@Injectable()
export class AlertRepository {
  /** Inserts the alert unless its deduplication key exists; its id, or undefined. */
  async insertUnlessDuplicate(manager: EntityManager, alert: NewAlert): Promise<string | undefined> {
    const rows = await preparedQuery<{ id: string }>(
      manager,
      `INSERT INTO alerts (family_id, rule_id, rule_version, rag, dedup_key, explanation, matched_event_ids, raised_at, due_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
      [
        alert.familyId,
        alert.ruleId,
        alert.ruleVersion,
        alert.rag,
        alert.dedupKey,
        alert.explanation,
        alert.matchedEventIds,
        alert.raisedAt,
        alert.dueBy,
      ],
    );
    return rows[0]?.id;
  }

  async addRecipients(
    manager: EntityManager,
    alertId: string,
    familyId: string,
    userIds: readonly string[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO alert_recipients (alert_id, family_id, user_id, reason) SELECT $1, $2, unnest($3::uuid[]), 'RECIPIENT'`,
      [alertId, familyId, userIds],
    );
  }

  /** Adds the escalation's recipients; those not already addressed. */
  async addEscalationRecipients(
    manager: EntityManager,
    alertId: string,
    familyId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO alert_recipients (alert_id, family_id, user_id, reason)
       SELECT DISTINCT $1::uuid, $2::uuid, unnest($3::uuid[]), 'ESCALATION'
       ON CONFLICT DO NOTHING RETURNING user_id AS id`,
      [alertId, familyId, userIds],
    );
    return rows.map((r) => r.id);
  }

  async recipients(manager: EntityManager, alertId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await manager.query(
      `SELECT user_id FROM alert_recipients WHERE alert_id = $1`,
      [alertId],
    );
    return rows.map((r) => r.user_id);
  }

  /** Of these alerts and users, the pairs where the alert is addressed to the user, as `alert:user`. */
  async addressedPairs(
    manager: EntityManager,
    alertIds: readonly string[],
    userIds: readonly string[],
  ): Promise<Set<string>> {
    const rows: { alert_id: string; user_id: string }[] = await manager.query(
      `SELECT alert_id, user_id FROM alert_recipients WHERE alert_id = ANY($1::uuid[]) AND user_id = ANY($2::uuid[])`,
      [alertIds, userIds],
    );
    return new Set(rows.map((r) => `${r.alert_id}:${r.user_id}`));
  }

  /** A change in the alert's life, at a given time, by no one (a rule or the scheduler). */
  async recordAt(
    manager: EntityManager,
    entry: { alertId: string; familyId: string; at: Date; change: string; note: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO alert_history (alert_id, family_id, at, change, note) VALUES ($1, $2, $3, $4, $5)`,
      [entry.alertId, entry.familyId, entry.at, entry.change, entry.note],
    );
  }

  /** A change in the alert's life by a user, now. */
  async recordBy(
    manager: EntityManager,
    entry: { alertId: string; familyId: string; actorId: string; change: string; note: string | null },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO alert_history (alert_id, family_id, actor_id, change, note) VALUES ($1, $2, $3, $4, $5)`,
      [entry.alertId, entry.familyId, entry.actorId, entry.change, entry.note],
    );
  }

  /**
   * Up to `limit` alerts addressed to the user in these families, optionally of one status,
   * newest first, strictly after the (raised_at, id) key.
   */
  pageFor(
    manager: EntityManager,
    query: {
      userId: string;
      familyIds: readonly string[];
      status: AlertStatus | null;
      after: readonly unknown[] | undefined;
      limit: number;
    },
  ): Promise<AlertRow[]> {
    return manager.query(
      `SELECT ${ALERT_COLUMNS} FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id
       WHERE r.user_id = $1 AND a.family_id = ANY($2) AND ($3::text IS NULL OR a.status = $3)
         AND ($4::timestamptz IS NULL OR (a.raised_at, a.id) < ($4::timestamptz, $5::uuid))
       ORDER BY a.raised_at DESC, a.id DESC LIMIT $6`,
      [query.userId, query.familyIds, query.status, query.after?.[0] ?? null, query.after?.[1] ?? null, query.limit],
    );
  }

  /** The alert, locked, if it is addressed to the user and belongs to one of these families. */
  async lockAddressedTo(
    manager: EntityManager,
    alertId: string,
    userId: string,
    familyIds: readonly string[],
  ): Promise<AlertRow | undefined> {
    const rows: AlertRow[] = await manager.query(
      `SELECT ${ALERT_COLUMNS} FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id AND r.user_id = $2
       WHERE a.id = $1 AND a.family_id = ANY($3) FOR UPDATE OF a`,
      [alertId, userId, familyIds],
    );
    return rows[0];
  }

  async acknowledge(manager: EntityManager, alertId: string, userId: string): Promise<AlertRow> {
    const rows: AlertRow[] = await updateReturning(
      manager,
      `UPDATE alerts a SET status = 'ACKNOWLEDGED', acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 RETURNING ${ALERT_COLUMNS}`,
      [alertId, userId],
    );
    return rows[0]!;
  }

  /** Resolves the alert, acknowledging it too if no one had. */
  async resolve(manager: EntityManager, alertId: string, userId: string, note: string | null): Promise<AlertRow> {
    const rows: AlertRow[] = await updateReturning(
      manager,
      `UPDATE alerts a SET status = 'RESOLVED', resolved_by = $2, resolved_at = now(), resolution_note = $3,
         acknowledged_by = COALESCE(acknowledged_by, $2), acknowledged_at = COALESCE(acknowledged_at, now())
       WHERE id = $1 RETURNING ${ALERT_COLUMNS}`,
      [alertId, userId, note],
    );
    return rows[0]!;
  }

  /** Claims up to `limit` open alerts past their deadline (skipping those another worker holds) and escalates them. */
  claimDue(manager: EntityManager, now: Date, limit: number): Promise<{ id: string; family_id: string; rag: Rag }[]> {
    return updateReturning(
      manager,
      `UPDATE alerts a SET status = 'ESCALATED', escalated_at = $1
       FROM (SELECT id FROM alerts WHERE status = 'OPEN' AND due_by <= $1 ORDER BY due_by LIMIT $2 FOR UPDATE SKIP LOCKED) due
       WHERE a.id = due.id RETURNING a.id, a.family_id, a.rag`,
      [now, limit],
    );
  }

  /** One evaluation of the ABSENCE rules at a time across workers: whether this transaction holds it. */
  async tryLockAbsenceRules(manager: EntityManager): Promise<boolean> {
    const rows: { ok: boolean }[] = await manager.query(
      `SELECT pg_try_advisory_xact_lock(hashtext('hearth:absence-rules')) AS ok`,
    );
    return rows[0]?.ok ?? false;
  }
}
