import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { conflict, validate } from '@hearth/errors';
import { createAgencySchema, type CreateAgencyInput } from './identity.inputs.js';
import type { AgencyKind } from './identity.enums.js';
import type { AgencyModel } from './identity.models.js';

@Injectable()
export class AgencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every agency of the partnership; not secret to any signed-in user. */
  list(): Promise<AgencyModel[]> {
    return this.dataSource.query(`SELECT id, name, kind FROM agencies ORDER BY name`);
  }

  async create(input: CreateAgencyInput): Promise<AgencyModel> {
    const data = validate(createAgencySchema, input);
    return this.dataSource.transaction((manager) => this.insert(manager, data));
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
