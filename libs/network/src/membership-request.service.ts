import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainEvents, updateReturning } from '@hearth/database';
import { AuditAction, AuditLog } from '@hearth/audit';
import { CASE_ROLES, Role, type Principal } from '@hearth/authz';
import { badInput, conflict, forbidden, notFound, validate } from '@hearth/errors';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/relay';
import { closeExpiredMembership, isActiveMember } from './family.repository.js';
import { FamilyService } from './family.service.js';
import './network.events.js';
import { GrantReviewOutcome, JoinRequestStatus } from './network.enums.js';
import { reasonSchema, uuid } from './network.inputs.js';
import type { AccessGrantModel } from './network.models.js';

/** Break-glass access lasts this long, and more than this many uses in 30 days are flagged. */
export const BREAK_GLASS_HOURS = 4;
const BREAK_GLASS_FLAG_AFTER = 2;
/** A break-glass reason must be a real sentence an auditor can weigh, not "urgent". */
export const BREAK_GLASS_MIN_REASON = 10;

export interface JoinRequestRow {
  id: string;
  family_id: string;
  user_id: string;
  reason: string;
  status: JoinRequestStatus;
  created_at: Date;
  decided_at: Date | null;
}

interface GrantRow {
  id: string;
  family_id: string;
  user_id: string;
  reason: string;
  granted_at: Date;
  expires_at: Date;
  flagged: boolean;
  review_outcome: GrantReviewOutcome | null;
  review_note: string | null;
  reviewed_at: Date | null;
}

const GRANT_COLUMNS =
  'id, family_id, user_id, reason, granted_at, expires_at, flagged, review_outcome, review_note, reviewed_at';
const JOIN_COLUMNS = 'id, family_id, user_id, reason, status, created_at, decided_at';

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
  ) {}

  async requestToJoin(principal: Principal, familyIdInput: string, reasonInput: string): Promise<JoinRequestRow> {
    const familyId = validate(uuid, familyIdInput);
    const reason = validate(reasonSchema, reasonInput);
    requireCaseRole(principal);
    return this.dataSource.transaction(async (manager) => {
      const exists: unknown[] = await manager.query(`SELECT 1 FROM families WHERE id = $1 AND status = 'OPEN'`, [
        familyId,
      ]);
      if (exists.length === 0) throw notFound();
      if (await isActiveMember(manager, familyId, principal.userId)) throw conflict('Already a member of this network');
      const rows: JoinRequestRow[] = await manager.query(
        `INSERT INTO join_requests (family_id, user_id, reason) VALUES ($1, $2, $3)
         ON CONFLICT (family_id, user_id) WHERE status = 'PENDING' DO NOTHING RETURNING ${JOIN_COLUMNS}`,
        [familyId, principal.userId, reason],
      );
      if (!rows[0]) throw conflict('A request to join this network is already waiting');
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'JoinRequest',
        subjectId: rows[0].id,
        familyId,
        reason,
      });
      return rows[0];
    });
  }

  async decide(principal: Principal, requestId: string, approve: boolean): Promise<JoinRequestRow> {
    const id = validate(uuid, requestId);
    return this.dataSource.transaction(async (manager) => {
      const found: JoinRequestRow[] = await manager.query(
        `SELECT ${JOIN_COLUMNS} FROM join_requests WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const request = found[0];
      if (!request) throw notFound();
      await this.families.visible(manager, principal, request.family_id, 'lead', true);
      if (request.status !== JoinRequestStatus.PENDING) throw conflict('This request has already been decided');
      const status = approve ? JoinRequestStatus.APPROVED : JoinRequestStatus.DECLINED;
      const rows: JoinRequestRow[] = await updateReturning(
        manager,
        `UPDATE join_requests SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1 RETURNING ${JOIN_COLUMNS}`,
        [id, status, principal.userId],
      );
      if (approve) {
        await closeExpiredMembership(manager, request.family_id, request.user_id);
        const added: unknown[] = await manager.query(
          `INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'MEMBER', $3)
           ON CONFLICT (family_id, user_id) WHERE removed_at IS NULL DO NOTHING RETURNING id`,
          [request.family_id, request.user_id, principal.userId],
        );
        if (added.length > 0)
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
      return rows[0]!;
    });
  }

  async pendingFor(principal: Principal, familyIdInput: string): Promise<JoinRequestRow[]> {
    const familyId = validate(uuid, familyIdInput);
    return this.dataSource.transaction(async (manager) => {
      await this.families.visible(manager, principal, familyId, 'lead');
      const rows: JoinRequestRow[] = await manager.query(
        `SELECT ${JOIN_COLUMNS} FROM join_requests WHERE family_id = $1 AND status = 'PENDING' ORDER BY created_at`,
        [familyId],
      );
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
      const exists: unknown[] = await manager.query(`SELECT 1 FROM families WHERE id = $1 AND status = 'OPEN'`, [
        familyId,
      ]);
      if (exists.length === 0) throw notFound();
      const recent: { n: number }[] = await manager.query(
        `SELECT count(*)::int AS n FROM access_grants WHERE user_id = $1 AND granted_at > now() - interval '30 days'`,
        [principal.userId],
      );
      const rows: GrantRow[] = await manager.query(
        `INSERT INTO access_grants (family_id, user_id, reason, expires_at, flagged)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4), $5) RETURNING ${GRANT_COLUMNS}`,
        [familyId, principal.userId, reason, BREAK_GLASS_HOURS, (recent[0]?.n ?? 0) >= BREAK_GLASS_FLAG_AFTER],
      );
      const grant = rows[0]!;
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
      const rows: GrantRow[] = await updateReturning(
        manager,
        `UPDATE access_grants SET review_outcome = $2, review_note = $3, reviewed_by = $4, reviewed_at = now()
         WHERE id = $1 AND review_outcome IS NULL RETURNING ${GRANT_COLUMNS}`,
        [id, outcome, note, principal.userId],
      );
      if (!rows[0]) {
        const exists: unknown[] = await manager.query(`SELECT 1 FROM access_grants WHERE id = $1`, [id]);
        throw exists.length > 0 ? conflict('This access has already been reviewed') : notFound();
      }
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'AccessGrant',
        subjectId: id,
        familyId: rows[0].family_id,
        reason: note,
        detail: { review: outcome },
      });
      // Found inappropriate: the relationship view stops counting the grant at once; the lead is told.
      if (outcome === GrantReviewOutcome.INAPPROPRIATE) {
        await this.events.publish(manager, 'network.access-revoked', {
          grantId: id,
          familyId: rows[0].family_id,
          userId: rows[0].user_id,
          flagged: rows[0].flagged,
        });
      }
      return toGrant(rows[0]);
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
      const rows: GrantRow[] = await manager.query(
        `SELECT ${GRANT_COLUMNS} FROM access_grants
         WHERE ($1::boolean IS NOT TRUE OR review_outcome IS NULL)
           AND ($2::timestamptz IS NULL OR (granted_at, id) < ($2::timestamptz, $3::uuid))
         ORDER BY granted_at DESC, id DESC LIMIT $4`,
        [args.pendingReview ?? null, after?.[0] ?? null, after?.[1] ?? null, size + 1],
      );
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
