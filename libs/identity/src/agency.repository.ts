import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AgencyKind } from './identity.enums.js';
import type { AgencyModel } from './identity.models.js';

/**
 * The agency `idColumn` names, joined as `alias` (`alias.id`, `alias.name`, `alias.kind`): for
 * another lib's statement that shows an agency beside its own rows.
 */
export function agencyJoin(alias: string, idColumn: string): string {
  return `JOIN agencies ${alias} ON ${alias}.id = ${idColumn}`;
}

@Injectable()
export class AgencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The agencies of these ids (those that exist). */
  findByIds(ids: readonly string[]): Promise<AgencyModel[]> {
    return this.dataSource.query(`SELECT id, name, kind FROM agencies WHERE id = ANY($1)`, [ids]);
  }

  /** Every agency, by name. */
  list(): Promise<AgencyModel[]> {
    return this.dataSource.query(`SELECT id, name, kind FROM agencies ORDER BY name`);
  }

  async exists(manager: EntityManager, id: string): Promise<boolean> {
    const agency: unknown[] = await manager.query(`SELECT 1 FROM agencies WHERE id = $1`, [id]);
    return agency.length > 0;
  }

  /** Whether an agency already has this name, whatever its case. */
  async nameTaken(manager: EntityManager, name: string): Promise<boolean> {
    const taken: unknown[] = await manager.query(`SELECT 1 FROM agencies WHERE lower(name) = lower($1)`, [name]);
    return taken.length > 0;
  }

  async insert(manager: EntityManager, agency: { name: string; kind: AgencyKind }): Promise<AgencyModel> {
    const rows: AgencyModel[] = await manager.query(
      `INSERT INTO agencies (name, kind) VALUES ($1, $2) RETURNING id, name, kind`,
      [agency.name, agency.kind],
    );
    return rows[0]!;
  }
}
