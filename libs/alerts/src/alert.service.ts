import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';
import { z } from 'zod';
import { AuditAction, AuditLog } from '@hearth/audit';
import type { Principal } from '@hearth/authz';
import { badInput, conflict, notFound, validate } from '@hearth/errors';
import { AccessService, line, text, uuid } from '@hearth/network';
import { InboxService, NotificationType } from '@hearth/realtime';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/relay';
import { AlertStatus, type AlertModel, type Rag, type RuleModel } from './alert.models.js';
import { ruleDefinitionSchema } from './rule-definition.js';
import { allRules, ruleById, rulesByIds } from './rule.repository.js';

interface AlertRow {
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

export const ruleInputSchema = z.strictObject({
  id: uuid.nullish(),
  name: line(200),
  definition: z.string().max(20_000, { error: 'is too long' }),
  enabled: z.boolean().nullish(),
});

/**
 * Alerts as their recipients see them (only while they may still read the family), their
 * lifecycle, and the partnership's rules. Reads are audited; changes are audited and pushed.
 */
@Injectable()
export class AlertService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditLog,
    private readonly inbox: InboxService,
  ) {}

  async mine(
    principal: Principal,
    args: { status?: AlertStatus | null; first?: number | null; after?: string | null },
  ): Promise<Connection<AlertModel>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, ['timestamp', 'uuid']);
    return this.dataSource.transaction(async (manager) => {
      const families = await this.access.readableFamilies(principal);
      const rows: AlertRow[] = await manager.query(
        `SELECT ${ALERT_COLUMNS} FROM alert_recipients r JOIN alerts a ON a.id = r.alert_id
         WHERE r.user_id = $1 AND a.family_id = ANY($2) AND ($3::text IS NULL OR a.status = $3)
           AND ($4::timestamptz IS NULL OR (a.raised_at, a.id) < ($4::timestamptz, $5::uuid))
         ORDER BY a.raised_at DESC, a.id DESC LIMIT $6`,
        [principal.userId, families, args.status ?? null, after?.[0] ?? null, after?.[1] ?? null, size + 1],
      );
      await this.audit.recordRead(manager, {
        actor: principal,
        subjectType: 'Alert',
        ids: rows.slice(0, size).map((r) => r.id),
      });
      return toConnection(rows, size, (r) => [r.raised_at.toISOString(), r.id], toAlertModel);
    });
  }

  async acknowledge(principal: Principal, alertId: string): Promise<AlertModel> {
    return this.transition(principal, alertId, 'ACKNOWLEDGED', null);
  }

  async resolve(principal: Principal, alertId: string, noteInput: string): Promise<AlertModel> {
    return this.transition(principal, alertId, 'RESOLVED', validate(text(4000), noteInput));
  }

  /** Batches the rule of each alert in a page into one query; no cache, so edits show at once. */
  private readonly ruleLoader = new DataLoader<string, RuleModel | undefined>(
    async (ids) => {
      const rules = await rulesByIds(this.dataSource.manager, ids);
      return ids.map((id) => rules.find((r) => r.id === id));
    },
    { cache: false },
  );

  async rule(id: string): Promise<RuleModel> {
    const rule = await this.ruleLoader.load(id);
    if (!rule) throw notFound();
    return rule;
  }

  async rules(): Promise<RuleModel[]> {
    return allRules(this.dataSource.manager);
  }

  /** Creates a rule, or a new version of one: a change never rewrites the version alerts point at. */
  async upsertRule(
    principal: Principal,
    input: { id?: string | null; name: string; definition: string; enabled?: boolean | null },
  ): Promise<RuleModel> {
    const data = validate(ruleInputSchema, input);
    let json: unknown;
    try {
      json = JSON.parse(data.definition);
    } catch {
      throw badInput('definition', 'must be JSON');
    }
    const parsed = ruleDefinitionSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badInput('definition', `${issue?.path.join('.') || 'definition'}: ${issue?.message ?? 'is invalid'}`);
    }
    const definition = parsed.data;
    return this.dataSource.transaction(async (manager) => {
      let id = data.id ?? null;
      let version = 1;
      if (id) {
        const rows: { current_version: number }[] = await manager.query(
          `SELECT current_version FROM rules WHERE id = $1 FOR UPDATE`,
          [id],
        );
        if (!rows[0]) throw notFound();
        version = rows[0].current_version + 1;
        await manager.query(
          `UPDATE rules SET name = $2, current_version = $3, enabled = COALESCE($4, enabled), updated_at = now() WHERE id = $1`,
          [id, data.name, version, data.enabled ?? null],
        );
      } else {
        const rows: { id: string }[] = await manager.query(
          `INSERT INTO rules (name, enabled, current_version) VALUES ($1, $2, 1) RETURNING id`,
          [data.name, data.enabled ?? true],
        );
        id = rows[0]!.id;
      }
      await manager.query(
        `INSERT INTO rule_versions (rule_id, version, kind, definition, created_by) VALUES ($1, $2, $3, $4, $5)`,
        [id, version, definition.kind, JSON.stringify(definition), principal.userId],
      );
      await this.audit.record(manager, {
        action: version === 1 ? AuditAction.CREATE : AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Rule',
        subjectId: id,
        detail: { version },
      });
      return (await ruleById(manager, id))!;
    });
  }

  async setRuleEnabled(principal: Principal, idInput: string, enabled: boolean): Promise<RuleModel> {
    const id = validate(uuid, idInput);
    return this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await updateReturning(
        manager,
        `UPDATE rules SET enabled = $2, updated_at = now() WHERE id = $1 RETURNING id`,
        [id, enabled],
      );
      if (rows.length === 0) throw notFound();
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Rule',
        subjectId: id,
        detail: { enabled },
      });
      return (await ruleById(manager, id))!;
    });
  }

  private async transition(
    principal: Principal,
    alertIdInput: string,
    to: 'ACKNOWLEDGED' | 'RESOLVED',
    note: string | null,
  ): Promise<AlertModel> {
    const alertId = validate(uuid, alertIdInput);
    return this.dataSource.transaction(async (manager) => {
      const alert = await this.addressedTo(manager, principal, alertId);
      if (alert.status === AlertStatus.RESOLVED) throw conflict('This alert is already resolved');
      if (to === 'ACKNOWLEDGED' && alert.status === AlertStatus.ACKNOWLEDGED) return toAlertModel(alert);
      const rows: AlertRow[] =
        to === 'ACKNOWLEDGED'
          ? await updateReturning(
              manager,
              `UPDATE alerts a SET status = 'ACKNOWLEDGED', acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 RETURNING ${ALERT_COLUMNS}`,
              [alertId, principal.userId],
            )
          : await updateReturning(
              manager,
              `UPDATE alerts a SET status = 'RESOLVED', resolved_by = $2, resolved_at = now(), resolution_note = $3,
                 acknowledged_by = COALESCE(acknowledged_by, $2), acknowledged_at = COALESCE(acknowledged_at, now())
               WHERE id = $1 RETURNING ${ALERT_COLUMNS}`,
              [alertId, principal.userId, note],
            );
      await manager.query(
        `INSERT INTO alert_history (alert_id, family_id, actor_id, change, note) VALUES ($1, $2, $3, $4, $5)`,
        [alertId, alert.family_id, principal.userId, to, note],
      );
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Alert',
        subjectId: alertId,
        familyId: alert.family_id,
        detail: { status: to },
      });
      await this.notifyRecipients(manager, alertId, alert.family_id, alert.rag);
      return toAlertModel(rows[0]!);
    });
  }

  /** The alert, locked, when it is addressed to the caller and they may still read its family. */
  private async addressedTo(manager: EntityManager, principal: Principal, alertId: string): Promise<AlertRow> {
    const families = await this.access.readableFamilies(principal);
    const rows: AlertRow[] = await manager.query(
      `SELECT ${ALERT_COLUMNS} FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id AND r.user_id = $2
       WHERE a.id = $1 AND a.family_id = ANY($3) FOR UPDATE OF a`,
      [alertId, principal.userId, families],
    );
    if (!rows[0]) throw notFound();
    return rows[0];
  }

  async notifyRecipients(manager: EntityManager, alertId: string, familyId: string, rag: string): Promise<void> {
    const recipients: { user_id: string }[] = await manager.query(
      `SELECT user_id FROM alert_recipients WHERE alert_id = $1`,
      [alertId],
    );
    await this.inbox.enqueue(
      manager,
      recipients.map((r) => r.user_id),
      { type: NotificationType.ALERT_UPDATED, familyId, alertId, rag },
    );
  }
}
