import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { AuditAction, AuditLog } from '@hearth/audit';
import { UnitOfWork } from '@hearth/database';
import type { Principal } from '@hearth/authz';
import { badInput, conflict, line, notFound, text, uuid, validate } from '@hearth/errors';
import { AccessService } from '@hearth/network';
import { InboxService, NotificationType } from '@hearth/realtime';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/pagination';
import { AlertStatus, type AlertModel, type RuleModel } from './alert.models.js';
import { AlertRepository, toAlertModel, type AlertRow } from './alert.repository.js';
import { ruleDefinitionSchema } from './rule-definition.js';
import { RuleRepository } from './rule.repository.js';

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
const RULE_LOADER = Symbol('alert-rules');

@Injectable()
export class AlertService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditLog,
    private readonly inbox: InboxService,
    private readonly alerts: AlertRepository,
    private readonly ruleRows: RuleRepository,
  ) {}

  async mine(
    principal: Principal,
    args: { status?: AlertStatus | null; first?: number | null; after?: string | null },
  ): Promise<Connection<AlertModel>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, ['timestamp', 'uuid']);
    return this.dataSource.transaction(async (manager) => {
      const families = await this.access.readableFamilies(principal);
      const rows = await this.alerts.pageFor(manager, {
        userId: principal.userId,
        familyIds: families,
        status: args.status ?? null,
        after,
        limit: size + 1,
      });
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
  private ruleLoader(): DataLoader<string, RuleModel | undefined> {
    return new DataLoader<string, RuleModel | undefined>(
      async (ids) => {
        const rules = await this.ruleRows.byIds(this.dataSource.manager, ids);
        return ids.map((id) => rules.find((r) => r.id === id));
      },
      { cache: false },
    );
  }

  /** Outside a request, lookups of the same tick are batched here. */
  private readonly sharedRuleLoader = this.ruleLoader();

  async rule(id: string): Promise<RuleModel> {
    // One loader per request: its batches run in the request's unit of work.
    const loader = UnitOfWork.perRequest(RULE_LOADER, () => this.ruleLoader()) ?? this.sharedRuleLoader;
    const rule = await loader.load(id);
    if (!rule) throw notFound();
    return rule;
  }

  async rules(): Promise<RuleModel[]> {
    return this.ruleRows.all(this.dataSource.manager);
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
        const current = await this.ruleRows.lockCurrentVersion(manager, id);
        if (current === undefined) throw notFound();
        version = current + 1;
        await this.ruleRows.update(manager, id, { name: data.name, version, enabled: data.enabled ?? null });
      } else {
        id = await this.ruleRows.insert(manager, { name: data.name, enabled: data.enabled ?? true });
      }
      await this.ruleRows.insertVersion(manager, id, version, definition, principal.userId);
      await this.audit.record(manager, {
        action: version === 1 ? AuditAction.CREATE : AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Rule',
        subjectId: id,
        detail: { version },
      });
      return (await this.ruleRows.byId(manager, id))!;
    });
  }

  async setRuleEnabled(principal: Principal, idInput: string, enabled: boolean): Promise<RuleModel> {
    const id = validate(uuid, idInput);
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.ruleRows.setEnabled(manager, id, enabled))) throw notFound();
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Rule',
        subjectId: id,
        detail: { enabled },
      });
      return (await this.ruleRows.byId(manager, id))!;
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
      const updated =
        to === 'ACKNOWLEDGED'
          ? await this.alerts.acknowledge(manager, alertId, principal.userId)
          : await this.alerts.resolve(manager, alertId, principal.userId, note);
      await this.alerts.recordBy(manager, {
        alertId,
        familyId: alert.family_id,
        actorId: principal.userId,
        change: to,
        note,
      });
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Alert',
        subjectId: alertId,
        familyId: alert.family_id,
        detail: { status: to },
      });
      await this.notifyRecipients(manager, alertId, alert.family_id, alert.rag);
      return toAlertModel(updated);
    });
  }

  /** The alert, locked, when it is addressed to the caller and they may still read its family. */
  private async addressedTo(manager: EntityManager, principal: Principal, alertId: string): Promise<AlertRow> {
    const families = await this.access.readableFamilies(principal);
    const alert = await this.alerts.lockAddressedTo(manager, alertId, principal.userId, families);
    if (!alert) throw notFound();
    return alert;
  }

  async notifyRecipients(manager: EntityManager, alertId: string, familyId: string, rag: string): Promise<void> {
    await this.inbox.enqueue(manager, await this.alerts.recipients(manager, alertId), {
      type: NotificationType.ALERT_UPDATED,
      familyId,
      alertId,
      rag,
    });
  }
}
