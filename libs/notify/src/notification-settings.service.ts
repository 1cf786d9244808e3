import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AuditAction, AuditLog } from '@hearth/audit';
import type { Principal } from '@hearth/authz';
import { badInput, validate } from '@hearth/errors';
import { NotificationFloor, type NotificationSettingsInput, type NotificationSettingsModel } from './notify.models.js';
import { PreferenceRepository } from './preference.repository.js';
import { isTimeZone, type Preferences } from './preferences.js';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time such as 07:30' });
const floor = z.enum(NotificationFloor);

const inputSchema = z.strictObject({
  emailFloor: floor.nullish(),
  webhookFloor: floor.nullish(),
  timeZone: z
    .string()
    .max(64)
    .refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/London' })
    .nullish(),
  quietHoursStart: time.nullish(),
  quietHoursEnd: time.nullish(),
  clearQuietHours: z.boolean().nullish(),
  digestAt: time.nullish(),
  noDigest: z.boolean().nullish(),
  mutedFamilyIds: z
    .array(z.uuid({ error: 'must be an id' }))
    .max(500)
    .nullish(),
});

export function toSettingsModel(p: Preferences): NotificationSettingsModel {
  return {
    emailFloor: p.emailFloor as NotificationFloor,
    webhookFloor: p.webhookFloor as NotificationFloor,
    timeZone: p.timeZone,
    quietHoursStart: p.quietStart,
    quietHoursEnd: p.quietEnd,
    digestAt: p.digestAt,
    mutedFamilyIds: [...p.mutedFamilyIds],
    redAlertsAlwaysDelivered: true,
  };
}

/** Each user's own notification settings: only ever their own, so no ability beyond being signed in. */
@Injectable()
export class NotificationSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly preferences: PreferenceRepository,
    private readonly audit: AuditLog,
  ) {}

  async mine(principal: Principal): Promise<NotificationSettingsModel> {
    const all = await this.preferences.of(this.dataSource.manager, [principal.userId]);
    return toSettingsModel(all.get(principal.userId)!);
  }

  async update(principal: Principal, raw: NotificationSettingsInput): Promise<NotificationSettingsModel> {
    const input = validate(inputSchema, raw);
    if ((input.quietHoursStart == null) !== (input.quietHoursEnd == null))
      throw badInput('quietHoursEnd', 'give both ends of quiet hours');
    return this.dataSource.transaction(async (manager) => {
      const current = (await this.preferences.of(manager, [principal.userId])).get(principal.userId)!;
      const next: Preferences = {
        emailFloor: input.emailFloor ?? current.emailFloor,
        webhookFloor: input.webhookFloor ?? current.webhookFloor,
        timeZone: input.timeZone ?? current.timeZone,
        quietStart: input.clearQuietHours ? null : (input.quietHoursStart ?? current.quietStart),
        quietEnd: input.clearQuietHours ? null : (input.quietHoursEnd ?? current.quietEnd),
        digestAt: input.noDigest ? null : (input.digestAt ?? current.digestAt),
        mutedFamilyIds: input.mutedFamilyIds ? [...new Set(input.mutedFamilyIds)] : current.mutedFamilyIds,
      };
      await this.preferences.save(manager, principal.userId, next);
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'NotificationSettings',
        subjectId: principal.userId,
        detail: {
          emailFloor: next.emailFloor,
          webhookFloor: next.webhookFloor,
          quietHours: next.quietStart !== null,
          digest: next.digestAt !== null,
          mutedFamilies: next.mutedFamilyIds.length,
        },
      });
      return toSettingsModel(next);
    });
  }
}
