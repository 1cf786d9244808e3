import { CLOCK, type Clock } from '@hearth/config';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AuditAction, AuditLog } from '@hearth/audit';
import { SYSTEM_DATA_SOURCE } from '@hearth/database';
import { UserRepository } from '@hearth/identity';
import { InboxService, NotificationType } from '@hearth/realtime';
import { AlertEngine } from './alert-engine.service.js';
import { AlertRepository } from './alert.repository.js';

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
    // Every family's due alerts and time-based rules: the system's work, not one user's.
    @Inject(SYSTEM_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly engine: AlertEngine,
    private readonly inbox: InboxService,
    private readonly audit: AuditLog,
    private readonly alerts: AlertRepository,
    private readonly users: UserRepository,
    @Inject(CLOCK) private readonly clock: Clock,
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
      return (await this.alerts.tryLockAbsenceRules(manager)) ? this.engine.evaluateAbsence(manager, now) : 0;
    });
    return { escalated, raised };
  }

  /** Escalates every open alert whose deadline has passed; returns how many. */
  async escalateDue(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const due = await this.alerts.claimDue(manager, now, BATCH);
        for (const alert of due) {
          // The recipients' active line managers join the recipients (those not addressed already).
          const addressed = await this.alerts.recipients(manager, alert.id);
          const managerIds = await this.alerts.addEscalationRecipients(
            manager,
            alert.id,
            alert.family_id,
            await this.users.activeManagersOf(manager, addressed),
          );
          await this.alerts.recordAt(manager, {
            alertId: alert.id,
            familyId: alert.family_id,
            at: now,
            change: 'ESCALATED',
            note: `${managerIds.length} manager(s) told`,
          });
          await this.audit.record(manager, {
            action: AuditAction.UPDATE,
            actor: null,
            subjectType: 'Alert',
            subjectId: alert.id,
            familyId: alert.family_id,
            reason: 'not acknowledged by its deadline',
            detail: { status: 'ESCALATED', managers: managerIds },
          });
          // Everyone else addressed is told the alert changed.
          const recipients = addressed.filter((id) => !managerIds.includes(id));
          await this.inbox.enqueue(manager, managerIds, {
            type: NotificationType.ALERT_RAISED,
            familyId: alert.family_id,
            alertId: alert.id,
            rag: alert.rag,
          });
          await this.inbox.enqueue(manager, recipients, {
            type: NotificationType.ALERT_UPDATED,
            familyId: alert.family_id,
            alertId: alert.id,
            rag: alert.rag,
          });
        }
        return due.length;
      });
      total += count;
      if (count < BATCH) return total;
    }
  }
}
