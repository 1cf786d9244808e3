import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Visibility } from './timeline.enums.js';
import type { SharingPolicyEntryModel } from './timeline.models.js';

/** Each agency's default visibility per event kind (`sharing_policies`). */
@Injectable()
export class SharingPolicyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  ofAgency(agencyId: string): Promise<SharingPolicyEntryModel[]> {
    return this.dataSource.query(
      `SELECT event_kind AS kind, visibility FROM sharing_policies WHERE agency_id = $1 ORDER BY event_kind`,
      [agencyId],
    );
  }

  async set(manager: EntityManager, agencyId: string, kind: string, visibility: Visibility): Promise<void> {
    await manager.query(
      `INSERT INTO sharing_policies (agency_id, event_kind, visibility) VALUES ($1, $2, $3)
       ON CONFLICT (agency_id, event_kind) DO UPDATE SET visibility = EXCLUDED.visibility`,
      [agencyId, kind, visibility],
    );
  }
}
