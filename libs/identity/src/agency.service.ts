import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@hearth/authz';
import { conflict, notFound, validate } from '@hearth/errors';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { createAgencySchema, type CreateAgencyInput } from './identity.inputs.js';
import type { AgencyKind } from './identity.enums.js';
import type { AgencyModel } from './identity.models.js';

@Injectable()
export class AgencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
  ) {}

  /** Batches lookups made in the same tick (a page of events); no cache, so renames show at once. */
  private readonly byId = new DataLoader<string, AgencyModel | undefined>(
    async (ids) => {
      const rows: AgencyModel[] = await this.dataSource.query(
        `SELECT id, name, kind FROM agencies WHERE id = ANY($1)`,
        [ids],
      );
      return ids.map((id) => rows.find((r) => r.id === id));
    },
    { cache: false },
  );

  async get(id: string): Promise<AgencyModel> {
    const agency = await this.byId.load(id);
    if (!agency) throw notFound();
    return agency;
  }

  /** Every agency of the partnership; not secret to any signed-in user. */
  list(): Promise<AgencyModel[]> {
    return this.dataSource.query(`SELECT id, name, kind FROM agencies ORDER BY name`);
  }

  async create(principal: Principal, input: CreateAgencyInput): Promise<AgencyModel> {
    const data = validate(createAgencySchema, input);
    return this.dataSource.transaction(async (manager) => {
      const agency = await this.insert(manager, data);
      await this.events.record(manager, {
        kind: 'agency-created',
        principal,
        agencyId: agency.id,
        name: agency.name,
        agencyKind: agency.kind,
      });
      return agency;
    });
  }

  async insert(manager: EntityManager, agency: { name: string; kind: AgencyKind }): Promise<AgencyModel> {
    const taken: unknown[] = await manager.query(`SELECT 1 FROM agencies WHERE lower(name) = lower($1)`, [agency.name]);
    if (taken.length > 0) throw conflict('An agency with this name already exists');
    const rows: AgencyModel[] = await manager.query(
      `INSERT INTO agencies (name, kind) VALUES ($1, $2) RETURNING id, name, kind`,
      [agency.name, agency.kind],
    );
    return rows[0]!;
  }
}
