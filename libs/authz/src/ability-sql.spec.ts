import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AbilityBuilder, createMongoAbility, type MongoQuery } from '@casl/ability';
import fc from 'fast-check';
import { createTestDataSource, type TestDataSource } from '@hearth/testing';
import { abilityToSql, UntranslatableRuleError, type FieldMap } from './ability-sql.js';
import { allows, type HearthAbility } from './ability.js';

/**
 * The translator against PostgreSQL: for each ability, the rows its WHERE condition returns are
 * exactly those `ability.can` allows, one by one. The probe's columns are NOT NULL, as every
 * column Hearth's rules name is.
 */

const FAMILIES = [
  '6f1c0d2e-0000-4000-8000-00000000000a',
  '6f1c0d2e-0000-4000-8000-00000000000b',
  '6f1c0d2e-0000-4000-8000-00000000000c',
];
const LABELS = ['NETWORK', 'AGENCY', 'RESTRICTED'];
const TAGS = ['a', 'b', 'c'];
const DAY = 24 * 3600 * 1000;
const BASE = Date.UTC(2026, 0, 1, 12); // rows at noon; conditions at midnight, so never equal

interface ProbeRow {
  id: number;
  familyId: string;
  n: number;
  label: string;
  at: Date;
  tags: string[];
}

const ROWS: ProbeRow[] = Array.from({ length: 48 }, (_, i) => ({
  id: i + 1,
  familyId: FAMILIES[i % 3]!,
  n: (i * 5) % 8,
  label: LABELS[Math.floor(i / 3) % 3]!,
  at: new Date(BASE + (i % 10) * DAY),
  tags: TAGS.filter((_, bit) => ((i >> bit) & 1) === 1),
}));

const FIELDS: FieldMap = {
  id: { sql: 'p.id', type: 'integer' },
  familyId: { sql: 'p.family_id', type: 'uuid' },
  n: { sql: 'p.n', type: 'integer' },
  label: { sql: 'p.label', type: 'text' },
  at: { sql: 'p.at', type: 'timestamptz' },
  tags: { sql: 'p.tags', type: 'text', array: true },
};

type Rule = { readonly inverted?: boolean; readonly conditions?: MongoQuery };

function abilityOf(rules: readonly Rule[]): HearthAbility {
  const { can, cannot, build } = new AbilityBuilder<HearthAbility>(createMongoAbility);
  for (const rule of rules) {
    const define = rule.inverted ? cannot : can;
    if (rule.conditions) define('read', 'TimelineEvent', rule.conditions);
    else define('read', 'TimelineEvent');
  }
  return build();
}

let db: TestDataSource;

beforeAll(async () => {
  db = await createTestDataSource(1);
  await db.dataSource.query(`
    CREATE TABLE probe (
      id integer PRIMARY KEY,
      family_id uuid NOT NULL,
      n integer NOT NULL,
      label text NOT NULL,
      at timestamptz NOT NULL,
      tags text[] NOT NULL
    )`);
  for (const row of ROWS)
    await db.dataSource.query(`INSERT INTO probe VALUES ($1, $2, $3, $4, $5, $6)`, [
      row.id,
      row.familyId,
      row.n,
      row.label,
      row.at,
      row.tags,
    ]);
});
afterAll(() => db.close());

/** The ids the database returns under the ability's condition, and those `ability.can` allows. */
async function both(ability: HearthAbility): Promise<{ sql: number[]; can: number[] }> {
  const { sql, params } = abilityToSql(ability, 'read', 'TimelineEvent', FIELDS);
  const rows = await db.dataSource.query<{ id: number }[]>(
    `SELECT p.id FROM probe p WHERE ${sql} ORDER BY p.id`,
    params,
  );
  return {
    sql: rows.map((row) => row.id),
    can: ROWS.filter((row) => allows(ability, 'read', 'TimelineEvent', { ...row })).map((row) => row.id),
  };
}

async function expectAgreement(rules: readonly Rule[]): Promise<number[]> {
  const { sql, can } = await both(abilityOf(rules));
  expect(sql).toEqual(can);
  return sql;
}

const midnight = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY);

describe('abilityToSql: the operators it knows return what ability.can allows', () => {
  it.each<[string, MongoQuery]>([
    ['eq', { label: 'AGENCY' }],
    ['eq on a uuid', { familyId: FAMILIES[1] }],
    ['ne', { n: { $ne: 3 } }],
    ['lt', { n: { $lt: 3 } }],
    ['lte', { n: { $lte: 3 } }],
    ['gt', { n: { $gt: 5 } }],
    ['gte', { n: { $gte: 5 } }],
    ['lt on a time', { at: { $lt: midnight(4) } }],
    ['gte on a time', { at: { $gte: midnight(6) } }],
    ['in', { familyId: { $in: [FAMILIES[0], FAMILIES[2]] } }],
    ['in an empty list', { familyId: { $in: [] } }],
    ['nin', { label: { $nin: ['NETWORK', 'RESTRICTED'] } }],
    ['eq on an array column (contains)', { tags: 'b' }],
    ['in on an array column (overlaps)', { tags: { $in: ['a', 'c'] } }],
    ['and (several fields in one rule)', { familyId: { $in: FAMILIES.slice(0, 2) }, label: 'NETWORK', n: { $gt: 1 } }],
  ])('%s', async (_, conditions) => {
    const ids = await expectAgreement([{ conditions }]);
    if (_ !== 'in an empty list') expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(ROWS.length);
  });

  it('or: several can rules', async () => {
    await expectAgreement([{ conditions: { label: 'AGENCY' } }, { conditions: { n: 7 } }]);
  });

  it('not: a cannot rule bounds the can rules before it, and not those after', async () => {
    const ids = await expectAgreement([
      { conditions: { familyId: { $in: FAMILIES.slice(0, 2) } } },
      { inverted: true, conditions: { label: 'RESTRICTED' } },
      { conditions: { n: 0 } },
    ]);
    expect(ids.length).toBeGreaterThan(0);
  });

  it('a cannot rule with several fields excludes only rows matching all of them', async () => {
    await expectAgreement([
      { conditions: { n: { $gte: 2 } } },
      { inverted: true, conditions: { label: 'AGENCY', tags: 'a' } },
    ]);
  });

  it('no rule: no rows (FALSE)', async () => {
    expect(abilityToSql(abilityOf([]), 'read', 'TimelineEvent', FIELDS)).toEqual({ sql: 'FALSE', params: [] });
    expect(await expectAgreement([])).toEqual([]);
  });

  it('only a cannot rule: no rows', async () => {
    expect(await expectAgreement([{ inverted: true, conditions: { n: 1 } }])).toEqual([]);
  });

  it('a rule without conditions: every row, bounded by the cannot rules above it', async () => {
    expect(await expectAgreement([{}])).toHaveLength(ROWS.length);
    const ids = await expectAgreement([{}, { inverted: true, conditions: { label: 'NETWORK' } }]);
    expect(ids.length).toBeLessThan(ROWS.length);
  });

  it('numbers its parameters from the offset it is given, typed as the column', () => {
    const { sql, params } = abilityToSql(
      abilityOf([{ conditions: { n: { $gt: 2 }, familyId: { $in: FAMILIES } } }]),
      'read',
      'TimelineEvent',
      FIELDS,
      4,
    );
    expect(sql).toMatch(/\$4::(integer|uuid\[\])/);
    expect(sql).toMatch(/\$5::(integer|uuid\[\])/);
    expect(sql).not.toMatch(/\$[1-36-9]/);
    expect(params).toHaveLength(2);
  });

  it('holds for any mix of the operators it knows (generated rules)', async () => {
    const numeric = fc.tuple(
      fc.constantFrom('$eq', '$ne', '$lt', '$lte', '$gt', '$gte'),
      fc.integer({ min: -1, max: 8 }),
    );
    const condition = fc.oneof(
      numeric.map(([op, value]) => ({ n: { [op]: value } })),
      fc.tuple(fc.constantFrom('$lt', '$lte', '$gt', '$gte'), fc.integer({ min: 0, max: 10 })).map(([op, day]) => ({
        at: { [op]: midnight(day) },
      })),
      fc.constantFrom(...LABELS).map((label) => ({ label })),
      fc
        .tuple(fc.constantFrom('$in', '$nin'), fc.subarray(LABELS))
        .map(([op, labels]) => ({ label: { [op]: labels } })),
      fc.subarray(FAMILIES).map((families) => ({ familyId: { $in: families } })),
      fc.constantFrom(...TAGS).map((tag) => ({ tags: tag })),
      fc.subarray(TAGS).map((tags) => ({ tags: { $in: tags } })),
    );
    const rule = fc.record({
      inverted: fc.boolean(),
      conditions: fc
        .array(condition, { minLength: 1, maxLength: 3 })
        .map((parts) => Object.assign({}, ...parts) as MongoQuery),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(rule, { maxLength: 5 }), async (rules) => {
        const { sql, can } = await both(abilityOf(rules));
        expect(sql).toEqual(can);
      }),
      { numRuns: 150 },
    );
  });
});

describe('abilityToSql: anything else is refused (fails closed)', () => {
  it.each<[string, MongoQuery]>([
    ['a field the map does not know', { secret: 'x' }],
    ['a nested field', { 'tags.0': 'a' }],
    ['regex', { label: { $regex: '^NET' } }],
    ['exists', { label: { $exists: true } }],
    ['all', { tags: { $all: ['a', 'b'] } }],
    ['size', { tags: { $size: 2 } }],
    ['elemMatch', { tags: { $elemMatch: { $eq: 'a' } } }],
    // CASL's Mongo conditions read these as field names, not as compounds.
    ['$and', { $and: [{ n: { $gte: 2 } }, { n: { $lte: 5 } }] }],
    ['$or', { $or: [{ n: 0 }, { label: 'RESTRICTED' }] }],
    ['$nor', { $nor: [{ n: 1 }] }],
    ['null', { label: null }],
    ['an object value', { label: { nested: 'x' } }],
    ['a list inside eq', { n: { $eq: [1, 2] as unknown as number } }],
    ['a null inside in', { label: { $in: ['NETWORK', null] } }],
    ['ne on an array column', { tags: { $ne: 'a' } }],
    ['nin on an array column', { tags: { $nin: ['a'] } }],
    ['lt on an array column', { tags: { $lt: 'b' } }],
  ])('%s', (_, conditions) => {
    const ability = abilityOf([{ conditions: { n: 1 } }, { conditions }]);
    expect(() => abilityToSql(ability, 'read', 'TimelineEvent', FIELDS)).toThrow(UntranslatableRuleError);
  });

  it('refuses in a cannot rule as well', () => {
    const ability = abilityOf([{}, { inverted: true, conditions: { label: { $regex: 'X' } } }]);
    expect(() => abilityToSql(ability, 'read', 'TimelineEvent', FIELDS)).toThrow(UntranslatableRuleError);
  });
});
