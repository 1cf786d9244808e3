import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedQuery, updateReturning } from '@hearth/database';
import { ruleDefinitionSchema, type RuleDefinition } from './rule-definition.js';
import type { RuleModel } from './alert.models.js';

export interface ActiveRule {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly definition: RuleDefinition;
}

export interface RuleRow {
  id: string;
  name: string;
  version: number;
  kind: string;
  enabled: boolean;
  definition: unknown;
  updated_at: Date;
}

const SELECT_RULES = `SELECT r.id, r.name, r.current_version AS version, v.kind, r.enabled, v.definition, r.updated_at
  FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.current_version`;

export function toRuleModel(row: RuleRow): RuleModel {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    kind: row.kind,
    enabled: row.enabled,
    definition: JSON.stringify(row.definition),
    updatedAt: row.updated_at,
  };
}

/** The partnership's rules (`rules`) and their versions (`rule_versions`), read at their current version. */
@Injectable()
export class RuleRepository {
  async all(manager: EntityManager): Promise<RuleModel[]> {
    const rows: RuleRow[] = await manager.query(`${SELECT_RULES} ORDER BY r.name`);
    return rows.map(toRuleModel);
  }

  async byIds(manager: EntityManager, ids: readonly string[]): Promise<RuleModel[]> {
    const rows: RuleRow[] = await manager.query(`${SELECT_RULES} WHERE r.id = ANY($1)`, [ids]);
    return rows.map(toRuleModel);
  }

  async byId(manager: EntityManager, id: string): Promise<RuleModel | undefined> {
    const rows: RuleRow[] = await manager.query(`${SELECT_RULES} WHERE r.id = $1`, [id]);
    return rows[0] ? toRuleModel(rows[0]) : undefined;
  }

  /** Every enabled rule at its current version, parsed (a row that no longer parses is skipped). */
  async enabled(manager: EntityManager): Promise<ActiveRule[]> {
    const rows: RuleRow[] = await manager.query(`${SELECT_RULES} WHERE r.enabled`);
    return rows.flatMap((row) => {
      const parsed = ruleDefinitionSchema.safeParse(row.definition);
      return parsed.success ? [{ id: row.id, name: row.name, version: row.version, definition: parsed.data }] : [];
    });
  }

  /**
   * What the enabled rules are, in one short string: it changes whenever a rule is enabled,
   * disabled, added or moved to a new version (versions are never rewritten), and only then.
   */
  async enabledFingerprint(manager: EntityManager): Promise<string> {
    const rows = await preparedQuery<{ fingerprint: string }>(
      manager,
      `SELECT COALESCE(md5(string_agg(id::text || ':' || current_version || ':' || name, ',' ORDER BY id)), '') AS fingerprint
       FROM rules WHERE enabled`,
      [],
    );
    return rows[0]?.fingerprint ?? '';
  }

  /** The rule's current version number, the rule locked until the transaction ends. */
  async lockCurrentVersion(manager: EntityManager, id: string): Promise<number | undefined> {
    const rows: { current_version: number }[] = await manager.query(
      `SELECT current_version FROM rules WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0]?.current_version;
  }

  /** Renames the rule and points it at a new version (`enabled` null: unchanged). */
  async update(
    manager: EntityManager,
    id: string,
    rule: { name: string; version: number; enabled: boolean | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE rules SET name = $2, current_version = $3, enabled = COALESCE($4, enabled), updated_at = now() WHERE id = $1`,
      [id, rule.name, rule.version, rule.enabled],
    );
  }

  /** A new rule at version 1; its id. */
  async insert(manager: EntityManager, rule: { name: string; enabled: boolean }): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO rules (name, enabled, current_version) VALUES ($1, $2, 1) RETURNING id`,
      [rule.name, rule.enabled],
    );
    return rows[0]!.id;
  }

  /** A version of a rule: written once, never rewritten (alerts point at it). */
  async insertVersion(
    manager: EntityManager,
    ruleId: string,
    version: number,
    definition: RuleDefinition,
    createdBy: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO rule_versions (rule_id, version, kind, definition, created_by) VALUES ($1, $2, $3, $4, $5)`,
      [ruleId, version, definition.kind, JSON.stringify(definition), createdBy],
    );
  }

  /** Whether there was such a rule. */
  async setEnabled(manager: EntityManager, id: string, enabled: boolean): Promise<boolean> {
    const rows: unknown[] = await updateReturning(
      manager,
      `UPDATE rules SET enabled = $2, updated_at = now() WHERE id = $1 RETURNING id`,
      [id, enabled],
    );
    return rows.length > 0;
  }
}
