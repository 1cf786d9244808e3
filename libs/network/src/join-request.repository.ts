import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';
import type { JoinRequestStatus } from './network.enums.js';

export interface JoinRequestRow {
  id: string;
  family_id: string;
  user_id: string;
  reason: string;
  status: JoinRequestStatus;
  created_at: Date;
  decided_at: Date | null;
}

const JOIN_COLUMNS = 'id, family_id, user_id, reason, status, created_at, decided_at';

/** The `join_requests` table: asking to join a network, decided by its lead or a manager in it. */
@Injectable()
export class JoinRequestRepository {
  /** A pending request, unless the user already has one waiting for this family. */
  async insertPending(
    manager: EntityManager,
    request: { familyId: string; userId: string; reason: string },
  ): Promise<JoinRequestRow | undefined> {
    const rows: JoinRequestRow[] = await manager.query(
      `INSERT INTO join_requests (family_id, user_id, reason) VALUES ($1, $2, $3)
       ON CONFLICT (family_id, user_id) WHERE status = 'PENDING' DO NOTHING RETURNING ${JOIN_COLUMNS}`,
      [request.familyId, request.userId, request.reason],
    );
    return rows[0];
  }

  /** The request, locked until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<JoinRequestRow | undefined> {
    const rows: JoinRequestRow[] = await manager.query(
      `SELECT ${JOIN_COLUMNS} FROM join_requests WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0];
  }

  async decide(
    manager: EntityManager,
    id: string,
    status: JoinRequestStatus,
    decidedBy: string,
  ): Promise<JoinRequestRow> {
    const rows: JoinRequestRow[] = await updateReturning(
      manager,
      `UPDATE join_requests SET status = $2, decided_by = $3, decided_at = now() WHERE id = $1 RETURNING ${JOIN_COLUMNS}`,
      [id, status, decidedBy],
    );
    return rows[0]!;
  }

  /** The family's pending requests, oldest first. */
  pending(manager: EntityManager, familyId: string): Promise<JoinRequestRow[]> {
    return manager.query(
      `SELECT ${JOIN_COLUMNS} FROM join_requests WHERE family_id = $1 AND status = 'PENDING' ORDER BY created_at`,
      [familyId],
    );
  }
}
