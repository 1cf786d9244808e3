import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, OperationTypeNode, parse, type DefinitionNode, type OperationDefinitionNode } from 'graphql';
import { errorCode } from '@hearth/testing';
import { MAX_QUERY_COST } from '../apps/api/src/graphql.options.js';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The limits on a query's shape: depth, aliases and cost, each refused with BAD_USER_INPUT and a
 * message naming the limit, and each next to a query just inside it that is answered. The cost
 * counts page sizes however they arrive: written into the query or passed as variables.
 */
const WEB_SOURCES = fileURLToPath(new URL('../apps/web/src/', import.meta.url));

/** A timeline page with what the family screen shows of each event. */
const TIMELINE_PAGE = (first: string) => `timeline(familyId: $f, first: ${first}) {
  edges { node { id kind severity summary body occurredAt recordedAt redacted visibility
    author { userId displayName agency { name } }
    subjects { id givenName familyName }
    replies { id body author { displayName } }
    acknowledgedBy { displayName } } } }`;

/** Every operation the web client sends, and its fragments, read from its source as the build does. */
function webDocuments(): { operations: OperationDefinitionNode[]; fragments: Map<string, string> } {
  const operations: OperationDefinitionNode[] = [];
  const fragments = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        for (const match of readFileSync(path, 'utf8').matchAll(/graphql\(\s*`([^`]*)`/g)) {
          for (const definition of parse(match[1]!).definitions) {
            if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, textOf(definition));
          }
        }
      }
    }
  };
  walk(WEB_SOURCES);
  return { operations, fragments };
}

function textOf(definition: DefinitionNode): string {
  return definition.loc!.source.body.slice(definition.loc!.start, definition.loc!.end);
}

/** An operation as the client sends it: with the fragments it spreads, and theirs. */
function withFragments(text: string, fragments: Map<string, string>): string {
  const included = new Set<string>();
  const pending = [text];
  while (pending.length > 0) {
    for (const [, name] of pending.pop()!.matchAll(/\.\.\.\s*([A-Za-z_]\w*)/g)) {
      if (name === 'on' || included.has(name!) || !fragments.has(name!)) continue;
      included.add(name!);
      pending.push(fragments.get(name!)!);
    }
  }
  return [text, ...[...included].map((name) => fragments.get(name)!)].join('\n');
}

/** Who the web client asks each query as, where a practitioner would be refused. */
const ASKED_BY: Record<string, DemoUser> = {
  AuditEntries: 'aud.auditor',
  AuditIntegrity: 'aud.auditor',
  Grants: 'aud.auditor',
  AgencyUsers: 'ada.admin',
  Rules: 'pam.partner',
};

/** Page sizes the web client passes where its query declares no default (screens/timeline.tsx). */
const SENT_WITH: Record<string, Record<string, unknown>> = { Timeline: { first: 20 }, Directory: { search: 'pat' } };

describe('limits on the shape of a query', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let walsh: string;
  const ask = (who: DemoUser, source: string, variables: Record<string, unknown> = {}) =>
    app.gql<Record<string, unknown>>({ query: source, variables, token: as[who].accessToken });

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as } = await demoWorld(app));
    const { rows } = await query<{ id: string }>(app, `SELECT id FROM families WHERE reference = 'NS-2026-0142'`);
    walsh = rows[0]!.id;
  });
  afterAll(() => app.close());

  it('refuses a query nested deeper than 10 levels, and answers one 10 levels deep', async () => {
    // timeline › edges › node › amends… › id: each `amends` is one level.
    const nested = (amends: number) =>
      `query ($f: ID!) { timeline(familyId: $f, first: 1) { edges { node { ${'amends { '.repeat(amends)}id${' }'.repeat(amends)} } } } }`;
    const inside = await ask('sam.social', nested(6), { f: walsh });
    expect(inside.errors).toBeUndefined();
    expect(inside.data?.['timeline']).toBeDefined();

    const deep = await ask('sam.social', nested(7), { f: walsh });
    expect(deep.status).toBe(400);
    expect(errorCode(deep)).toBe('BAD_USER_INPUT');
    expect(deep.errors?.[0]?.message).toMatch(/depth limit of 10 exceeded, found 11/);
    expect(deep.data).toBeUndefined();
  });

  it('refuses more than 15 aliases, and answers 15', async () => {
    const aliased = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `f${i}: myFamilies(first: 1) { edges { node { id } } }`).join(' ')} }`;
    const inside = await ask('sam.social', aliased(15));
    expect(inside.errors).toBeUndefined();
    expect(Object.keys(inside.data ?? {})).toHaveLength(15);
    expect((inside.data?.['f14'] as { edges: unknown[] }).edges).toHaveLength(1);

    const many = await ask('sam.social', aliased(16));
    expect(many.status).toBe(400);
    expect(errorCode(many)).toBe('BAD_USER_INPUT');
    expect(many.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded, found 16/);
    expect(many.data).toBeUndefined();
  });

  it('refuses a costly query with its page sizes written in, and answers the same query with small pages', async () => {
    const pages = (first: string) =>
      `query ($f: ID!) { ${['a', 'b', 'c', 'd', 'e'].map((alias) => `${alias}: ${TIMELINE_PAGE(first)}`).join(' ')} }`;
    const small = await ask('sam.social', pages('10'), { f: walsh });
    expect(small.errors).toBeUndefined();
    expect((small.data?.['a'] as { edges: unknown[] }).edges.length).toBeGreaterThan(0);

    const costly = await ask('sam.social', pages('100'), { f: walsh });
    expect(costly.status).toBe(400);
    expect(errorCode(costly)).toBe('BAD_USER_INPUT');
    expect(costly.errors?.[0]?.message).toMatch(
      new RegExp(`Query Cost limit of ${MAX_QUERY_COST} exceeded, found \\d+`),
    );
    expect(costly.data).toBeUndefined();
  });

  it('refuses the same costly query with its page sizes passed as variables, and answers it with small ones', async () => {
    const pages = `query ($f: ID!, $n: Int, $m: Int = 100) { ${['a', 'b', 'c', 'd']
      .map((alias) => `${alias}: ${TIMELINE_PAGE('$n')}`)
      .join(' ')} e: ${TIMELINE_PAGE('$m')} }`;
    const small = await ask('sam.social', pages, { f: walsh, n: 10, m: 10 });
    expect(small.errors).toBeUndefined();
    expect((small.data?.['c'] as { edges: unknown[] }).edges.length).toBeGreaterThan(0);

    const costly = await ask('sam.social', pages, { f: walsh, n: 100, m: 100 });
    expect(costly.status).toBe(400);
    expect(errorCode(costly)).toBe('BAD_USER_INPUT');
    expect(costly.errors?.[0]?.message).toMatch(
      new RegExp(`^Query Cost limit of ${MAX_QUERY_COST} exceeded, found \\d+`),
    );
    expect(costly.data).toBeUndefined();

    // A page size left to the variable's default counts as that default.
    const byDefault = await ask('sam.social', pages.replace('$m: Int = 100', '$m: Int = 100000'), { f: walsh, n: 10 });
    expect(errorCode(byDefault)).toBe('BAD_USER_INPUT');
    expect(byDefault.errors?.[0]?.message).toMatch(/^Query Cost limit/);
  });

  it('answers every query the web client sends, with its largest page sizes', async () => {
    const { operations: all, fragments } = webDocuments();
    const operations = all.filter((op) => op.operation === OperationTypeNode.QUERY);
    const sourceOf = (name: string) =>
      withFragments(textOf(operations.find((op) => op.name?.value === name)!), fragments);
    expect(operations.map((op) => op.name?.value)).toEqual(
      expect.arrayContaining(['Caseload', 'Alerts', 'Timeline', 'AuditEntries', 'AgencyUsers', 'Grants']),
    );
    for (const operation of operations) {
      // A page size is sent as the client sends it, or at its largest; an id is a real family's.
      const variables: Record<string, unknown> = { ...SENT_WITH[operation.name!.value] };
      for (const definition of operation.variableDefinitions ?? []) {
        const name = definition.variable.name.value;
        const type = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
        const typeName = type.kind === Kind.NAMED_TYPE ? type.name.value : '';
        if (name in variables) continue;
        if (typeName === 'Int' && !definition.defaultValue) variables[name] = 100;
        else if (typeName === 'ID' && definition.type.kind === Kind.NON_NULL_TYPE) variables[name] = walsh;
      }
      const source = sourceOf(operation.name!.value);
      const who = ASKED_BY[operation.name!.value] ?? 'sam.social';
      const res = await ask(who, source, variables);
      expect({ operation: operation.name?.value, errors: res.errors }).toEqual({
        operation: operation.name?.value,
        errors: undefined,
      });
    }
    const caseload = await ask('sam.social', sourceOf('Caseload'));
    expect((caseload.data?.['myFamilies'] as { edges: unknown[] }).edges.length).toBeGreaterThan(0);
  });
});
