import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { updateReturning } from '@hearth/database';

export interface WebhookEndpointRow {
  id: string;
  agency_id: string;
  url: string;
  secret: string;
  enabled: boolean;
  consecutive_failures: number;
  disabled_at: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, agency_id, url, secret, enabled, consecutive_failures, disabled_at, created_at';

@Injectable()
export class WebhookEndpointRepository {
  async create(manager: EntityManager, agencyId: string, url: string, secret: string, createdBy: string) {
    const rows: WebhookEndpointRow[] = await manager.query(
      `INSERT INTO webhook_endpoints (agency_id, url, secret, created_by) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [agencyId, url, secret, createdBy],
    );
    return rows[0]!;
  }

  async ofAgency(manager: EntityManager, agencyId: string): Promise<WebhookEndpointRow[]> {
    return manager.query(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE agency_id = $1 ORDER BY created_at, id`, [
      agencyId,
    ]);
  }

  async byIds(manager: EntityManager, ids: readonly string[]): Promise<WebhookEndpointRow[]> {
    if (ids.length === 0) return [];
    return manager.query(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The enabled endpoints of the given agencies. */
  async enabledOf(manager: EntityManager, agencyIds: readonly string[]): Promise<WebhookEndpointRow[]> {
    if (agencyIds.length === 0) return [];
    return manager.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE agency_id = ANY($1::uuid[]) AND enabled ORDER BY id`,
      [agencyIds],
    );
  }

  async setEnabled(manager: EntityManager, id: string, enabled: boolean): Promise<void> {
    await manager.query(
      `UPDATE webhook_endpoints SET enabled = $2, consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures END,
         disabled_at = CASE WHEN $2 THEN NULL ELSE now() END WHERE id = $1`,
      [id, enabled],
    );
  }

  async succeeded(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1 AND consecutive_failures <> 0`,
      [id],
    );
  }

  /** Counts a failure; disables the endpoint at `limit` failures in a row. Returns whether it was disabled now. */
  async failed(manager: EntityManager, id: string, limit: number, now: Date): Promise<boolean> {
    const rows = await updateReturning<{ enabled: boolean; was: boolean }>(
      manager,
      `UPDATE webhook_endpoints w SET consecutive_failures = w.consecutive_failures + 1,
         enabled = w.enabled AND w.consecutive_failures + 1 < $2,
         disabled_at = CASE WHEN w.enabled AND w.consecutive_failures + 1 >= $2 THEN $3 ELSE w.disabled_at END
       FROM (SELECT id, enabled AS was FROM webhook_endpoints WHERE id = $1) old
       WHERE w.id = old.id RETURNING w.enabled, old.was`,
      [id, limit, now],
    );
    const row = rows[0];
    return row !== undefined && row.was && !row.enabled;
  }
}
