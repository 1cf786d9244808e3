import type { EntityManager } from 'typeorm';
import { ruleDefinitionSchema, type RuleDefinition } from './rule-definition.js';
import type { RuleModel } from './alert.models.js';

export interface ActiveRule {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly definition: RuleDefinition;
}

interface RuleRow {
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

export async function allRules(manager: EntityManager): Promise<RuleModel[]> {
  const rows: RuleRow[] = await manager.query(`${SELECT_RULES} ORDER BY r.name`);
  return rows.map(toRuleModel);
}

export async function rulesByIds(manager: EntityManager, ids: readonly string[]): Promise<RuleModel[]> {
  const rows: RuleRow[] = await manager.query(`${SELECT_RULES} WHERE r.id = ANY($1)`, [ids]);
  return rows.map(toRuleModel);
}

export async function ruleById(manager: EntityManager, id: string): Promise<RuleModel | undefined> {
  const rows: RuleRow[] = await manager.query(`${SELECT_RULES} WHERE r.id = $1`, [id]);
  return rows[0] ? toRuleModel(rows[0]) : undefined;
}

/** The enabled rules of some kinds, current versions, parsed (a row that no longer parses is skipped). */
export async function enabledRules(
  manager: EntityManager,
  kinds: readonly RuleDefinition['kind'][],
): Promise<ActiveRule[]> {
  const rows: RuleRow[] = await manager.query(`${SELECT_RULES} WHERE r.enabled AND v.kind = ANY($1)`, [kinds]);
  return rows.flatMap((row) => {
    const parsed = ruleDefinitionSchema.safeParse(row.definition);
    return parsed.success ? [{ id: row.id, name: row.name, version: row.version, definition: parsed.data }] : [];
  });
}
