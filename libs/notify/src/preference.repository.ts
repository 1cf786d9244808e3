import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DEFAULT_PREFERENCES, type Floor, type Preferences } from './preferences.js';
import { preparedQuery } from '@hearth/database';

interface PreferenceRow {
  user_id: string;
  email_floor: Floor;
  webhook_floor: Floor;
  time_zone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  digest_at: string | null;
  muted_family_ids: string[];
}

const hhmm = (time: string | null): string | null => (time === null ? null : time.slice(0, 5));

function toPreferences(row: PreferenceRow): Preferences {
  return {
    emailFloor: row.email_floor,
    webhookFloor: row.webhook_floor,
    timeZone: row.time_zone,
    quietStart: hhmm(row.quiet_start),
    quietEnd: hhmm(row.quiet_end),
    digestAt: hhmm(row.digest_at),
    mutedFamilyIds: row.muted_family_ids,
  };
}

@Injectable()
export class PreferenceRepository {
  /** Each given user's preferences; the defaults for those without a row. */
  async of(manager: EntityManager, userIds: readonly string[]): Promise<Map<string, Preferences>> {
    const rows: PreferenceRow[] =
      userIds.length === 0
        ? []
        : await preparedQuery<PreferenceRow>(
            manager,
            `SELECT user_id, email_floor, webhook_floor, time_zone, quiet_start::text, quiet_end::text,
                    digest_at::text, muted_family_ids
             FROM notification_preferences WHERE user_id = ANY($1::uuid[])`,
            [userIds],
          );
    const found = new Map(rows.map((row) => [row.user_id, toPreferences(row)]));
    return new Map(userIds.map((id) => [id, found.get(id) ?? DEFAULT_PREFERENCES]));
  }

  /**
   * What deciding a post's mail needs, in one round trip inside the post: the recipients'
   * preferences (the defaults for those without a row), and whether any webhook endpoint is
   * enabled at all (most partnerships have none; then nobody's agency needs looking up).
   */
  async ofRecipients(
    manager: EntityManager,
    userIds: readonly string[],
  ): Promise<{ preferences: Map<string, Preferences>; anyWebhookEnabled: boolean }> {
    const rows = await preparedQuery<Partial<PreferenceRow> & { any_webhook: boolean }>(
      manager,
      `SELECT w.any_webhook, p.user_id, p.email_floor, p.webhook_floor, p.time_zone, p.quiet_start::text,
              p.quiet_end::text, p.digest_at::text, p.muted_family_ids
       FROM (SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled) AS any_webhook) w
       LEFT JOIN notification_preferences p ON p.user_id = ANY($1::uuid[])`,
      [userIds],
    );
    const found = new Map(
      rows.flatMap((row) => (row.user_id ? [[row.user_id, toPreferences(row as PreferenceRow)]] : [])),
    );
    return {
      preferences: new Map(userIds.map((id) => [id, found.get(id) ?? DEFAULT_PREFERENCES])),
      anyWebhookEnabled: rows[0]?.any_webhook ?? false,
    };
  }

  async save(manager: EntityManager, userId: string, p: Preferences): Promise<void> {
    await manager.query(
      `INSERT INTO notification_preferences AS n
         (user_id, email_floor, webhook_floor, time_zone, quiet_start, quiet_end, digest_at, muted_family_ids, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid[], now())
       ON CONFLICT (user_id) DO UPDATE SET email_floor = EXCLUDED.email_floor, webhook_floor = EXCLUDED.webhook_floor,
         time_zone = EXCLUDED.time_zone, quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end,
         digest_at = EXCLUDED.digest_at, muted_family_ids = EXCLUDED.muted_family_ids, updated_at = now()`,
      [userId, p.emailFloor, p.webhookFloor, p.timeZone, p.quietStart, p.quietEnd, p.digestAt, [...p.mutedFamilyIds]],
    );
  }
}
