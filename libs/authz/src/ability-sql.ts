import { rulesToAST } from '@casl/ability/extra';
import type { CaseAction, CaseSubject, HearthAbility } from './ability.js';

/** How a subject's field is stored: its SQL expression, and whether it is an array column. */
export interface ColumnRef {
  readonly sql: string;
  readonly array?: boolean;
  /** SQL type for parameters (uuid, text, timestamptz). */
  readonly type: string;
}
export type FieldMap = Readonly<Record<string, ColumnRef>>;

export interface SqlCondition {
  /** A boolean SQL expression with positional parameters starting at the given offset. */
  readonly sql: string;
  readonly params: unknown[];
}

/** Raised when a rule uses something the translator does not know: the query is refused. */
export class UntranslatableRuleError extends Error {
  override readonly name = 'UntranslatableRuleError';
}

interface Condition {
  operator: string;
  field?: string;
  value: unknown;
}

const COMPARISONS: Readonly<Record<string, string>> = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * The rows a subject's rules allow for an action, as a WHERE condition. No rule → FALSE (no rows).
 * Known operators: eq, ne, lt, lte, gt, gte, in, nin, and, or, not; an array column compared
 * with eq means "contains". Anything else fails closed.
 */
export function abilityToSql(
  ability: HearthAbility,
  action: CaseAction,
  subject: CaseSubject,
  fields: FieldMap,
  firstParam = 1,
): SqlCondition {
  const ast = rulesToAST(ability, action, subject) as Condition | null;
  const params: unknown[] = [];
  if (ast === null) return { sql: 'FALSE', params };
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${firstParam + params.length - 1}::${type}`;
  };
  return { sql: translate(ast, fields, param), params };
}

function translate(node: Condition, fields: FieldMap, param: (value: unknown, type: string) => string): string {
  switch (node.operator) {
    case 'and':
    case 'or': {
      const parts = asConditions(node.value).map((child) => translate(child, fields, param));
      if (parts.length === 0) return node.operator === 'and' ? 'TRUE' : 'FALSE';
      return `(${parts.join(node.operator === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not': {
      const [child] = asConditions(node.value);
      if (!child) throw new UntranslatableRuleError('empty not');
      return `(NOT COALESCE(${translate(child, fields, param)}, FALSE))`;
    }
    default:
      return field(node, fields, param);
  }
}

function field(node: Condition, fields: FieldMap, param: (value: unknown, type: string) => string): string {
  const column = node.field !== undefined ? fields[node.field] : undefined;
  if (!column) throw new UntranslatableRuleError(`no column for field ${String(node.field)}`);
  const scalar = (value: unknown) => {
    if (value === null || value === undefined || (typeof value === 'object' && !(value instanceof Date))) {
      throw new UntranslatableRuleError(`unsupported value for ${node.field}`);
    }
    return value;
  };
  const comparison = COMPARISONS[node.operator];
  if (column.array) {
    if (node.operator === 'eq') return `(${param(scalar(node.value), column.type)} = ANY(${column.sql}))`;
    if (node.operator === 'in') return `(${column.sql} && ${param(list(node).map(scalar), `${column.type}[]`)})`;
    throw new UntranslatableRuleError(`operator ${node.operator} on array field ${node.field}`);
  }
  if (comparison) return `(${column.sql} ${comparison} ${param(scalar(node.value), column.type)})`;
  if (node.operator === 'in') return `(${column.sql} = ANY(${param(list(node).map(scalar), `${column.type}[]`)}))`;
  if (node.operator === 'nin') return `(${column.sql} <> ALL(${param(list(node).map(scalar), `${column.type}[]`)}))`;
  throw new UntranslatableRuleError(`operator ${node.operator}`);
}

function list(node: Condition): unknown[] {
  if (!Array.isArray(node.value)) throw new UntranslatableRuleError(`${node.operator} needs a list`);
  return node.value as unknown[];
}

function asConditions(value: unknown): Condition[] {
  if (!Array.isArray(value)) throw new UntranslatableRuleError('compound condition without children');
  return value as Condition[];
}
