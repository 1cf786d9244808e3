import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireRoles, Role, type Principal } from '@hearth/authz';
import { PageArgs, type Connection } from '@hearth/pagination';
import { AuditEntryConnection, type AuditEntryModel } from './audit-entry.model.js';
import { AuditFilterInput } from './audit-filter.input.js';
import { AuditIntegrityModel } from './audit-integrity.model.js';
import { AuditTrailService } from './audit-trail.service.js';

@Resolver()
export class AuditResolver {
  constructor(private readonly trail: AuditTrailService) {}

  @Query(() => AuditEntryConnection, { description: 'Audit entries, newest first (auditors)' })
  @RequireRoles(Role.AUDITOR)
  auditEntries(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => AuditFilterInput, nullable: true }) filter: AuditFilterInput | null,
    @Args() page: PageArgs,
  ): Promise<Connection<AuditEntryModel>> {
    return this.trail.list(principal, filter, page);
  }

  @Query(() => AuditIntegrityModel, { description: 'Recomputes the audit hash chain (auditors)' })
  @RequireRoles(Role.AUDITOR)
  auditIntegrity(@CurrentPrincipal() principal: Principal): Promise<AuditIntegrityModel> {
    return this.trail.integrity(principal);
  }
}
