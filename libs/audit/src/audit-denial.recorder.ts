import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Denial, DenialRecorder } from '@hearth/authz';
import { AuditAction, AuditOutcome } from './audit-action.js';
import { AuditLog } from './audit-log.service.js';

/**
 * The access guard's hook: every refused request becomes a DENIED entry, in a transaction of its
 * own (the refused act has none). The operation is the subject: `Query.auditEntries`,
 * `GET /audit/export.csv`.
 */
@Injectable()
export class AuditDenialRecorder implements DenialRecorder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly auditLog: AuditLog,
  ) {}

  async recordDenial(denial: Denial): Promise<void> {
    const { principal, operation, reason, familyId } = denial;
    await this.dataSource.transaction((manager) =>
      this.auditLog.record(manager, {
        action: AuditAction.DENIED,
        outcome: AuditOutcome.DENIED,
        actor: principal ? { userId: principal.userId, agencyId: principal.agencyId, roles: principal.roles } : null,
        subjectType: 'Operation',
        subjectId: operation,
        familyId: familyId ?? null,
        reason,
      }),
    );
  }
}
