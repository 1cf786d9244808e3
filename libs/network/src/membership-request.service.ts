import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainEvents } from '@hearth/database';
import { AuditAction, AuditLog } from '@hearth/audit';
import { CASE_ROLES, Role, type Principal } from '@hearth/authz';
import { badInput, conflict, forbidden, notFound, validate } from '@hearth/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/pagination';
import { FamilyRepository } from './family.repository.js';
import { FamilyService } from './family.service.js';
import { GrantRepository, type GrantRow } from './grant.repository.js';
import { JoinRequestRepository, type JoinRequestRow } from './join-request.repository.js';
import { MembershipRepository } from './membership.repository.js';
import './network.events.js';
import { GrantReviewOutcome, JoinRequestStatus } from './network.enums.js';
import { reasonSchema, uuid } from './network.inputs.js';
import type { AccessGrantModel } from './network.models.js';

/** Break-glass access lasts this long, and more than this many uses in 30 days are flagged. */
export const BREAK_GLASS_HOURS = 4;
const BREAK_GLASS_FLAG_AFTER = 2;
/** A break-glass reason must be a real sentence an auditor can weigh, not "urgent". */
export const BREAK_GLASS_MIN_REASON = 10;

function toGrant(row: GrantRow): AccessGrantModel {
  return {
    id: row.id,
    familyId: row.family_id,
    userId: row.user_id,
    reason: row.reason,
    grantedAt: row.granted_at,
    expiresAt: row.expires_at,
    flagged: row.flagged,
    reviewOutcome: row.review_outcome,
    reviewNote: row.review_note,
    reviewedAt: row.reviewed_at,
  };
}

/**
 * Ways into a network other than an invitation: asking to join (the lead or a manager in the
 * network decides) and break-glass access for an urgent need (read only, time-boxed, reviewed
 * by an auditor afterwards).
 */
@Injectable()
export class MembershipRequestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly families: FamilyService,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
    private readonly familyRows: FamilyRepository,
    private readonly memberships: MembershipRepository,
    private readonly joinRequests: JoinRequestRepository,
    private readonly accessGrants: GrantRepository,
  ) {}

  async requestToJoin(principal: Principal, familyIdInput: string, reasonInput: string): Promise<JoinRequestRow> {
    const familyId = validate(uuid, familyIdInput);
    const reason = validate(reasonSchema, reasonInput);
    requireCaseRole(principal);
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.familyRows.isOpen(manager, familyId))) throw notFound();
      if (await this.memberships.isActive(manager, familyId, principal.userId))
        throw conflict('Already a member of this network');
      const request = await this.joinRequests.insertPending(manager, { familyId, userId: principal.userId, reason });
      if (!request) throw conflict('A request to join this network is already waiting');
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'JoinRequest',
        subjectId: request.id,
        familyId,
        reason,
      });
      return request;
    });
  }

  async decide(principal: Principal, requestId: string, approve: boolean): Promise<JoinRequestRow> {
    const id = validate(uuid, requestId);
    return this.dataSource.transaction(async (manager) => {
      const request = await this.joinRequests.lock(manager, id);
      if (!request) throw notFound();
      await this.families.visible(manager, principal, request.family_id, 'lead', true);
      if (request.status !== JoinRequestStatus.PENDING) throw conflict('This request has already been decided');
      const status = approve ? JoinRequestStatus.APPROVED : JoinRequestStatus.DECLINED;
      const decided = await this.joinRequests.decide(manager, id, status, principal.userId);
      if (approve) {
        await this.memberships.closeExpired(manager, request.family_id, request.user_id);
        const added = await this.memberships.insertMemberIfAbsent(manager, {
          familyId: request.family_id,
          userId: request.user_id,
          addedBy: principal.userId,
        });
        if (added)
          await this.events.publish(manager, 'network.membership-changed', {
            familyId: request.family_id,
            userId: request.user_id,
            change: 'ADDED',
          });
      }
      await this.audit.record(manager, {
        action: approve ? AuditAction.GRANT : AuditAction.UPDATE,
        actor: principal,
        subjectType: 'JoinRequest',
        subjectId: id,
        familyId: request.family_id,
        detail: { status, userId: request.user_id },
      });
      return decided;
    });
  }

  async pendingFor(principal: Principal, familyIdInput: string): Promise<JoinRequestRow[]> {
    const familyId = validate(uuid, familyIdInput);
    return this.dataSource.transaction(async (manager) => {
      await this.families.visible(manager, principal, familyId, 'lead');
      const rows = await this.joinRequests.pending(manager, familyId);
      await this.audit.recordRead(manager, {
        actor: principal,
        subjectType: 'JoinRequest',
        subjectId: familyId,
        familyId,
        ids: rows.map((r) => r.id),
      });
      return rows;
    });
  }

  async breakGlass(principal: Principal, familyIdInput: string, reasonInput: string): Promise<AccessGrantModel> {
    const familyId = validate(uuid, familyIdInput);
    const reason = validate(reasonSchema, reasonInput);
    if (reason.trim().length < BREAK_GLASS_MIN_REASON) {
      throw badInput('reason', `must say why, in at least ${BREAK_GLASS_MIN_REASON} characters`);
    }
    requireCaseRole(principal);
    return this.dataSource.transaction(async (manager) => {
      // Like joining, break-glass opens only an OPEN family.
      if (!(await this.familyRows.isOpen(manager, familyId))) throw notFound();
      const recent = await this.accessGrants.countRecent(manager, principal.userId);
      const grant = await this.accessGrants.insert(manager, {
        familyId,
        userId: principal.userId,
        reason,
        hours: BREAK_GLASS_HOURS,
        flagged: recent >= BREAK_GLASS_FLAG_AFTER,
      });
      await this.audit.record(manager, {
        action: AuditAction.BREAK_GLASS,
        actor: principal,
        subjectType: 'AccessGrant',
        subjectId: grant.id,
        familyId,
        reason,
        detail: { expiresAt: grant.expires_at.toISOString(), flagged: grant.flagged },
      });
      await this.events.publish(manager, 'network.access-granted', {
        grantId: grant.id,
        familyId,
        userId: principal.userId,
        flagged: grant.flagged,
      });
      return toGrant(grant);
    });
  }

  async review(
    principal: Principal,
    grantId: string,
    outcome: GrantReviewOutcome,
    noteInput: string,
  ): Promise<AccessGrantModel> {
    const id = validate(uuid, grantId);
    const note = validate(reasonSchema, noteInput);
    if (!principal.roles.includes(Role.AUDITOR)) throw forbidden();
    return this.dataSource.transaction(async (manager) => {
      const grant = await this.accessGrants.review(manager, { id, outcome, note, reviewedBy: principal.userId });
      if (!grant) {
        throw (await this.accessGrants.exists(manager, id))
          ? conflict('This access has already been reviewed')
          : notFound();
      }
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'AccessGrant',
        subjectId: id,
        familyId: grant.family_id,
        reason: note,
        detail: { review: outcome },
      });
      // Found inappropriate: the relationship view stops counting the grant at once; the lead is told.
      if (outcome === GrantReviewOutcome.INAPPROPRIATE) {
        await this.events.publish(manager, 'network.access-revoked', {
          grantId: id,
          familyId: grant.family_id,
          userId: grant.user_id,
          flagged: grant.flagged,
        });
      }
      return toGrant(grant);
    });
  }

  /** For auditors: grants, newest first, optionally only those awaiting review. */
  async grants(
    principal: Principal,
    args: { pendingReview?: boolean | null; first?: number | null; after?: string | null },
  ): Promise<Connection<AccessGrantModel>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, ['timestamp', 'uuid']);
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.accessGrants.page(manager, args.pendingReview ?? null, after, size + 1);
      await this.audit.recordRead(manager, {
        actor: principal,
        subjectType: 'AccessGrant',
        ids: rows.slice(0, size).map((r) => r.id),
      });
      return toConnection(rows, size, (r) => [r.granted_at.toISOString(), r.id], toGrant);
    });
  }
}

function requireCaseRole(principal: Principal): void {
  if (!principal.roles.some((role) => CASE_ROLES.includes(role)))
    throw forbidden('Only practitioners and managers work with families');
}
