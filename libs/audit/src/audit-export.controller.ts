import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CurrentPrincipal, RequireRoles, Role, type Principal } from '@hearth/authz';
import { AuditTrailService } from './audit-trail.service.js';

@Controller('audit')
export class AuditExportController {
  private readonly logger = new Logger('AuditExport');

  constructor(private readonly trail: AuditTrailService) {}

  /** GET /audit/export.csv?actorId=…&from=…: the auditEntries filter, streamed as CSV. */
  @Get('export.csv')
  @RequireRoles(Role.AUDITOR)
  async exportCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const csv = await this.trail.exportCsv(principal, query);
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="hearth-audit.csv"');
    res.setHeader('cache-control', 'no-store');
    try {
      await pipeline(Readable.from(csv), res);
    } catch (error) {
      // Headers are gone; a cut-off download is all the client can be told.
      if (!res.destroyed) res.destroy();
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        this.logger.error(error instanceof Error ? error : String(error));
      }
    }
  }
}
