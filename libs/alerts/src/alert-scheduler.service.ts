import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { updateReturning } from '@hearth/database';
import { AuditAction, AuditLog } from '@hearth/audit';
import { InboxService, NotificationType } from '@hearth/realtime';
import { AlertEngine } from './alert-engine.service.js';
import { ALERT_CLOCK, type AlertClock } from './clock.js';

const BATCH = 50;

/**
 * Time-driven work: alerts past their deadline escalate to the recipients' line managers, and
 * ABSENCE rules are evaluated. Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of
 * workers can run it at once and each alert escalates once.
 */
@Injectable()
export class AlertScheduler implements OnModuleDestroy {
  private readonly logger = new Logger('AlertScheduler');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly engine: AlertEngine,
    private readonly inbox: InboxService,
    private readonly audit: AuditLog,
    @Inject(ALERT_CLOCK) private readonly clock: AlertClock,
  ) {}

  start(intervalMs = 15_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.tick().catch((error: unknown) =>
        this.logger.error({ err: error }, 'alert scheduler tick failed'),
      );
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  async tick(now: Date = this.clock.now()): Promise<{ escalated: number; raised: number }> {
    const escalated = await this.escalateDue(now);
    const raised = await this.dataSource.transaction(async (manager) => {
      // One ABSENCE evaluation at a time across workers; the dedup key guards the rest.
      const locked: { ok: boolean }[] = await manager.query(
        `SELECT pg_try_advisory_xact_lock(hashtext('hearth:absence-rules')) AS ok`,
      );
      return locked[0]?.ok ? this.engine.evaluateAbsence(manager, now) : 0;
    });
    return { escalated, raised };
  }

  /** Escalates every open alert whose deadline has passed; returns how many. */
  async escalateDue(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const due: { id: string; family_id: string; rag: string }[] = await updateReturning(
          manager,
          `UPDATE alerts a SET status = 'ESCALATED', escalated_at = $1
           FROM (SELECT id FROM alerts WHERE status = 'OPEN' AND due_by <= $1 ORDER BY due_by LIMIT $2 FOR UPDATE SKIP LOCKED) due
           WHERE a.id = due.id RETURNING a.id, a.family_id, a.rag`,
          [now, BATCH],
        );
        for (const alert of due) {
          const managers: { id: string }[] = await manager.query(
            `INSERT INTO alert_recipients (alert_id, family_id, user_id, reason)
             SELECT DISTINCT $1::uuid, $2::uuid, m.id, 'ESCALATION' FROM alert_recipients r
               JOIN users u ON u.id = r.user_id JOIN users m ON m.id = u.manager_id
             WHERE r.alert_id = $1 AND m.status = 'ACTIVE'
             ON CONFLICT DO NOTHING RETURNING user_id AS id`,
            [alert.id, alert.family_id],
          );
          await manager.query(
            `INSERT INTO alert_history (alert_id, family_id, at, change, note) VALUES ($1, $2, $3, 'ESCALATED', $4)`,
            [alert.id, alert.family_id, now, `${managers.length} manager(s) told`],
          );
          await this.audit.record(manager, {
            action: AuditAction.UPDATE,
            actor: null,
            subjectType: 'Alert',
            subjectId: alert.id,
            familyId: alert.family_id,
            reason: 'not acknowledged by its deadline',
            detail: { status: 'ESCALATED', managers: managers.map((m) => m.id) },
          });
          const managerIds = managers.map((m) => m.id);
          const recipients: { user_id: string }[] = await manager.query(
            `SELECT user_id FROM alert_recipients WHERE alert_id = $1 AND NOT (user_id = ANY($2))`,
            [alert.id, managerIds],
          );
          await this.inbox.enqueue(manager, managerIds, {
            type: NotificationType.ALERT_RAISED,
            familyId: alert.family_id,
            alertId: alert.id,
            rag: alert.rag,
          });
          await this.inbox.enqueue(
            manager,
            recipients.map((r) => r.user_id),
            {
              type: NotificationType.ALERT_UPDATED,
              familyId: alert.family_id,
              alertId: alert.id,
              rag: alert.rag,
            },
          );
        }
        return due.length;
      });
      total += count;
      if (count < BATCH) return total;
    }
  }
}
