import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Generated bad input thrown at the mutations: strings too long or full of control characters,
 * invalid dates, unknown enum values, nulls, wrong types, huge numbers, prototype keys, deep
 * nesting. Whatever arrives, the answer is never a 500 or an internal error, and a refused
 * request writes nothing.
 */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 5000, maxLength: 30_000 }),
  fc.constantFrom(
    '\u0000',
    '\u001b[31mred',
    'line\nbreak',
    '<script>alert(1)</script>',
    "'; DROP TABLE users; --",
    '2026-02-30',
    '9999-99-99T99:99:99Z',
    'NOT_AN_ENUM',
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.constant({ __proto__: { admin: true } }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.letrec((tie) => ({ deep: fc.oneof({ depthSize: 'small' }, fc.constant('leaf'), fc.record({ a: tie('deep') })) }))
    .deep,
);

/** A valid input with one or more fields replaced by something nasty (or an extra field). */
function corrupt(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(valid);
  return fc
    .record({
      replace: fc.subarray(keys, { minLength: 1 }),
      values: fc.array(nasty, { minLength: keys.length, maxLength: keys.length }),
      extra: fc.option(fc.tuple(fc.constantFrom('authorId', 'agencyId', 'recordedAt', '__proto__', 'id'), nasty)),
    })
    .map(({ replace, values, extra }) => {
      const input: Record<string, unknown> = { ...valid };
      replace.forEach((key, i) => (input[key] = values[i]));
      if (extra)
        Object.defineProperty(input, extra[0], {
          value: extra[1],
          enumerable: true,
          configurable: true,
          writable: true,
        });
      return input;
    });
}

const COUNTED = [
  'timeline_events',
  'families',
  'persons',
  'users',
  'agencies',
  'event_replies',
  'join_requests',
  'rule_versions',
];

describe('bad input', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  const counts = async () => {
    const { rows } = await query<Record<string, number>>(
      app,
      `SELECT ${COUNTED.map((t) => `(SELECT count(*)::int FROM ${t}) AS ${t}`).join(', ')}`,
    );
    return rows[0]!;
  };

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as, families } = await demoWorld(app));
  });
  afterAll(async () => {
    await app.close();
  });

  const cases = (): { name: string; who: DemoUser; mutation: string; valid: Record<string, unknown> }[] => [
    {
      name: 'postEvent',
      who: 'sam.social',
      mutation: 'mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }',
      valid: {
        familyId: families['NS-2026-0142'],
        kind: 'NOTE',
        severity: 'LOW',
        occurredAt: '2026-11-01T10:00:00Z',
        summary: 'ok',
        visibility: 'NETWORK',
      },
    },
    {
      name: 'addPerson',
      who: 'sam.social',
      mutation: 'mutation ($input: AddPersonInput!) { addPerson(input: $input) { id } }',
      valid: {
        familyId: families['NS-2026-0142'],
        role: 'CHILD',
        givenName: 'A',
        familyName: 'B',
        dateOfBirth: '2020-01-01',
      },
    },
    {
      name: 'createFamily',
      who: 'sam.social',
      mutation: 'mutation ($input: CreateFamilyInput!) { createFamily(input: $input) { id } }',
      valid: { reference: 'NS-FUZZ', protectionStatus: 'NONE' },
    },
    {
      name: 'createUser',
      who: 'ada.admin',
      mutation: 'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
      valid: {
        email: 'fuzz@demo.hearth',
        displayName: 'Fuzz',
        roles: ['PRACTITIONER'],
        password: 'a-long-initial-password',
      },
    },
    {
      name: 'upsertRule',
      who: 'pam.partner',
      mutation: 'mutation ($input: RuleInput!) { upsertRule(input: $input) { id } }',
      valid: {
        name: 'Fuzz rule',
        definition:
          '{"kind":"ABSENCE","familyProtectionStatuses":["CHILD_IN_NEED"],"days":5,"rag":"GREEN","recipients":["LEAD"]}',
      },
    },
  ];

  it('never answers a generated bad input with a 500, and writes nothing when it refuses', async () => {
    for (const { name, who, mutation, valid } of cases()) {
      await fc.assert(
        fc.asyncProperty(corrupt(valid), async (input) => {
          const before = await counts();
          const res = await app.gql({ query: mutation, variables: { input }, token: as[who].accessToken });
          const code = res.errors?.[0]?.extensions?.code;
          expect({ name, status: res.status, code }).not.toMatchObject({ status: 500 });
          expect({ name, code }).not.toEqual({ name, code: 'INTERNAL_SERVER_ERROR' });
          if (res.errors?.length) expect(await counts()).toEqual(before);
        }),
        { numRuns: 30 },
      );
    }
  });

  it('refuses deeply nested JSON and a prototype key without side effects', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 2000; i++) deep = { a: deep };
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${as['sam.social'].accessToken}` },
      body: JSON.stringify({ query: '{ version }', variables: { deep } }),
    });
    expect(res.status).toBeLessThan(500);
    const polluted = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ version }","__proto__":{"polluted":true}}',
    });
    expect(polluted.status).toBeLessThan(500);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
