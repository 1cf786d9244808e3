import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@hearth/authz';
import { UnitOfWork } from '@hearth/database';
import { conflict, notFound, validate } from '@hearth/errors';
import { AgencyRepository } from './agency.repository.js';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { createAgencySchema, type CreateAgencyInput } from './identity.inputs.js';
import type { AgencyKind } from './identity.enums.js';
import type { AgencyModel } from './identity.models.js';

const AGENCY_LOADER = Symbol('agencies');

@Injectable()
export class AgencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agencies: AgencyRepository,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
  ) {}

  /** Outside a request (the worker), lookups of the same tick are batched here. */
  private readonly shared = this.loader();

  /** Batches lookups made in the same tick (a page of events); no cache, so renames show at once. */
  private loader(): DataLoader<string, AgencyModel | undefined> {
    return new DataLoader<string, AgencyModel | undefined>(
      async (ids) => {
        const rows = await this.agencies.findByIds(ids);
        return ids.map((id) => rows.find((r) => r.id === id));
      },
      { cache: false },
    );
  }

  async get(id: string): Promise<AgencyModel> {
    // One loader per request: its batches run in the request's unit of work.
    const byId = UnitOfWork.perRequest(AGENCY_LOADER, () => this.loader()) ?? this.shared;
    const agency = await byId.load(id);
    if (!agency) throw notFound();
    return agency;
  }

  /** Every agency of the partnership; not secret to any signed-in user. */
  list(): Promise<AgencyModel[]> {
    return this.agencies.list();
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
    if (await this.agencies.nameTaken(manager, agency.name)) {
      throw conflict('An agency with this name already exists');
    }
    return this.agencies.insert(manager, agency);
  }
}
