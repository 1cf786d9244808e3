import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import { propertyRuns, propertyTimeout } from './support/property.js';
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
  // A mutation without arguments still gets unknown variables thrown at it.
  if (keys.length === 0)
    return fc
      .tuple(fc.constantFrom('authorId', '__proto__', 'userId', 'input'), nasty)
      .map(([key, value]) => JSON.parse(JSON.stringify({ [key]: value ?? null })) as Record<string, unknown>);
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
  'network_members',
  'family_memberships',
  'access_grants',
  'event_acknowledgements',
  'sharing_policies',
  'alert_history',
  'sessions',
  'idempotency_keys',
];

/** Mutations whose bad input test/identity-bad-input.e2e.ts generates. */
const IDENTITY_CASES = [
  'changeMyPassword',
  'completeLogin',
  'completePasswordReset',
  'confirmMfaEnrolment',
  'enableUser',
  'regenerateRecoveryCodes',
  'resetUserPassword',
  'updateMyContactCard',
];

describe('bad input', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  let ids: Record<string, string>;
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
    const one = async (sql: string, params: unknown[] = []) =>
      (await query<{ id: string }>(app, sql, params)).rows[0]?.id ?? '00000000-0000-4000-8000-000000000000';
    const family = families['NS-2026-0142']!;
    ids = {
      event: await one(`SELECT id FROM timeline_events WHERE family_id = $1 AND agency_id = $2 LIMIT 1`, [
        family,
        as['sam.social'].agencyId,
      ]),
      alert: await one(`SELECT id FROM alerts WHERE family_id = $1 LIMIT 1`, [family]),
      rule: await one(`SELECT id FROM rules LIMIT 1`),
      joinRequest: await one(`SELECT id FROM join_requests LIMIT 1`),
      grant: await one(`SELECT id FROM access_grants LIMIT 1`),
      // Changes that would end a session act on users no other case needs.
      spare: (
        await app.gqlData<{ createUser: { id: string } }>({
          query: 'mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }',
          variables: {
            input: {
              email: 'spare@demo.hearth',
              displayName: 'Spare',
              roles: ['PRACTITIONER'],
              password: 'a-long-spare-password',
            },
          },
          token: as['ada.admin'].accessToken,
        })
      ).createUser.id,
      pat: as['pat.police'].userId,
      hal: as['hal.health'].userId,
    };
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

  /** The other mutations take plain arguments: their variables are what gets corrupted. */
  const argumentCases = (): {
    name: string;
    who: DemoUser | null;
    mutation: string;
    valid: Record<string, unknown>;
  }[] => {
    const family = families['NS-2026-0142']!;
    return [
      {
        name: 'acknowledgeAlert',
        who: 'sam.social',
        mutation: 'mutation ($id: ID!) { acknowledgeAlert(id: $id) { id } }',
        valid: { id: ids['alert'] },
      },
      {
        name: 'beginMfaEnrolment',
        who: 'hal.health',
        mutation: 'mutation { beginMfaEnrolment { __typename } }',
        valid: {},
      },
      {
        name: 'removeUserMfa',
        who: 'ada.admin',
        mutation: 'mutation ($u: ID!) { removeUserMfa(userId: $u) { id } }',
        valid: { u: ids['spare'] },
      },
      {
        name: 'updateMyNotificationSettings',
        who: 'sam.social',
        mutation:
          'mutation ($i: NotificationSettingsInput!) { updateMyNotificationSettings(input: $i) { __typename } }',
        valid: { i: { digestAt: '07:45', emailFloor: 'AMBER' } },
      },
      {
        name: 'registerWebhookEndpoint',
        who: 'ada.admin',
        mutation: 'mutation ($u: String!) { registerWebhookEndpoint(url: $u) { __typename } }',
        valid: { u: 'https://systems.police.example.org/hearth/webhook' },
      },
      {
        name: 'setWebhookEndpointEnabled',
        who: 'ada.admin',
        mutation: 'mutation ($id: ID!, $e: Boolean!) { setWebhookEndpointEnabled(id: $id, enabled: $e) { id } }',
        valid: { id: '00000000-0000-4000-8000-000000000001', e: true },
      },
      {
        name: 'replayWebhookDelivery',
        who: 'ada.admin',
        mutation: 'mutation ($id: ID!) { replayWebhookDelivery(id: $id) { __typename } }',
        valid: { id: '00000000-0000-4000-8000-000000000001' },
      },
      {
        name: 'acknowledgeEvent',
        who: 'hal.health',
        mutation: 'mutation ($e: ID!) { acknowledgeEvent(eventId: $e) { id } }',
        valid: { e: ids['event'] },
      },
      {
        name: 'addNetworkMember',
        who: 'sam.social',
        mutation:
          'mutation ($f: ID!, $u: ID!, $x: DateTime) { addNetworkMember(familyId: $f, userId: $u, expiresAt: $x) { role } }',
        valid: { f: family, u: ids['spare'], x: '2027-01-01T00:00:00Z' },
      },
      {
        name: 'amendEvent',
        who: 'sam.social',
        mutation: 'mutation ($e: ID!, $i: AmendEventInput!) { amendEvent(eventId: $e, input: $i) { id } }',
        valid: { e: ids['event'], i: { reason: 'A typo in the time', summary: 'Corrected' } },
      },
      {
        name: 'completeExternalSignIn',
        who: null,
        mutation: 'mutation ($h: String!) { completeExternalSignIn(handoff: $h) { accessToken } }',
        valid: { h: 'an-unknown-handoff-code' },
      },
      {
        name: 'configureAgencyIdentityProvider',
        who: 'pam.partner',
        mutation:
          'mutation ($i: ConfigureIdentityProviderInput!) { configureAgencyIdentityProvider(input: $i) { agencyId } }',
        valid: {
          i: {
            agencyId: '00000000-0000-4000-8000-000000000000',
            issuer: 'https://idp.example.org',
            clientId: 'hearth',
            allowedEmailDomains: ['demo.hearth'],
          },
        },
      },
      {
        name: 'removeAgencyIdentityProvider',
        who: 'pam.partner',
        mutation: 'mutation ($a: ID!) { removeAgencyIdentityProvider(agencyId: $a) }',
        valid: { a: '00000000-0000-4000-8000-000000000000' },
      },
      {
        name: 'createAgency',
        who: 'pam.partner',
        mutation: 'mutation ($i: CreateAgencyInput!) { createAgency(input: $i) { id } }',
        valid: { i: { name: 'Fuzz agency', kind: 'HEALTH' } },
      },
      {
        name: 'decideJoinRequest',
        who: 'sam.social',
        mutation: 'mutation ($id: ID!, $a: Boolean!) { decideJoinRequest(id: $id, approve: $a) { id } }',
        valid: { id: ids['joinRequest'], a: false },
      },
      {
        name: 'disableUser',
        who: 'ada.admin',
        mutation: 'mutation ($u: ID!) { disableUser(userId: $u) { id } }',
        valid: { u: ids['spare'] },
      },
      {
        name: 'login',
        who: null,
        mutation: 'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        valid: { e: 'spare@demo.hearth', p: 'wrong-password' },
      },
      { name: 'logout', who: 'aud.auditor', mutation: 'mutation { logout }', valid: {} },
      {
        name: 'refreshSession',
        who: null,
        mutation: 'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
        valid: { t: 'not-a-refresh-token' },
      },
      {
        name: 'removeNetworkMember',
        who: 'sam.social',
        mutation: 'mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }',
        valid: { f: family, u: ids['spare'] },
      },
      {
        name: 'replyToEvent',
        who: 'hal.health',
        mutation: 'mutation ($e: ID!, $b: String!) { replyToEvent(eventId: $e, body: $b) { id } }',
        valid: { e: ids['event'], b: 'Noted' },
      },
      {
        name: 'requestBreakGlass',
        who: 'dee.school',
        mutation: 'mutation ($f: ID!, $r: String!) { requestBreakGlass(familyId: $f, reason: $r) { id } }',
        valid: { f: families['NS-2026-0157'], r: 'A child disclosed harm at school today' },
      },
      {
        name: 'requestToJoin',
        who: 'dee.school',
        mutation: 'mutation ($f: ID!, $r: String!) { requestToJoin(familyId: $f, reason: $r) { id } }',
        valid: { f: families['NS-2026-0157'], r: 'New nursery key worker' },
      },
      {
        name: 'resolveAlert',
        who: 'sam.social',
        mutation: 'mutation ($id: ID!, $n: String!) { resolveAlert(id: $id, note: $n) { id } }',
        valid: { id: ids['alert'], n: 'Handled at the strategy meeting' },
      },
      {
        name: 'reviewAccessGrant',
        who: 'aud.auditor',
        mutation:
          'mutation ($id: ID!, $n: String!, $o: GrantReviewOutcome!) { reviewAccessGrant(id: $id, note: $n, outcome: $o) { id } }',
        valid: { id: ids['grant'], n: 'Reviewed', o: 'APPROPRIATE' },
      },
      {
        name: 'setMyRoleSensitive',
        who: 'hal.health',
        mutation:
          'mutation ($f: ID!, $s: Boolean!, $c: String) { setMyRoleSensitive(familyId: $f, sensitive: $s, contactRoute: $c) { role } }',
        valid: { f: family, s: true, c: 'Through the health visitor team' },
      },
      {
        name: 'setProtectionStatus',
        who: 'sam.social',
        mutation: 'mutation ($f: ID!, $s: ProtectionStatus!) { setProtectionStatus(familyId: $f, status: $s) { id } }',
        valid: { f: family, s: 'CHILD_IN_NEED' },
      },
      {
        name: 'setRuleEnabled',
        who: 'pam.partner',
        mutation: 'mutation ($id: ID!, $e: Boolean!) { setRuleEnabled(id: $id, enabled: $e) { id } }',
        valid: { id: ids['rule'], e: true },
      },
      {
        name: 'setSharingPolicy',
        who: 'ada.admin',
        mutation: 'mutation ($i: SharingPolicyInput!) { setSharingPolicy(input: $i) { id } }',
        valid: { i: { kind: 'NOTE', visibility: 'NETWORK' } },
      },
      {
        name: 'setUserRoles',
        who: 'ada.admin',
        mutation: 'mutation ($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id } }',
        valid: { u: ids['spare'], r: ['PRACTITIONER'] },
      },
      {
        name: 'transferLead',
        who: 'sam.social',
        mutation: 'mutation ($f: ID!, $u: ID!) { transferLead(familyId: $f, userId: $u) { id } }',
        valid: { f: families['NS-2026-0163'], u: ids['pat'] },
      },
    ];
  };

  it('covers every mutation of the schema', async () => {
    const { data } = await app.gql<{ __schema: { mutationType: { fields: { name: string }[] } } }>({
      query: '{ __schema { mutationType { fields { name } } } }',
    });
    // The sign-in and account operations are generated in their own file, with identity's tables.
    const identity = readFileSync(new URL('./identity-bad-input.e2e.ts', import.meta.url), 'utf8');
    const elsewhere = IDENTITY_CASES.filter((name) => identity.includes(`name: '${name}'`));
    expect(elsewhere).toEqual(IDENTITY_CASES);
    const covered = [...cases(), ...argumentCases()]
      .map((c) => c.name)
      .concat(elsewhere)
      .sort();
    expect(covered).toEqual(data!.__schema.mutationType.fields.map((f) => f.name).sort());
  });

  it(
    'never answers generated bad arguments with a 500, and writes nothing when it refuses',
    async () => {
      for (const { name, who, mutation, valid } of argumentCases()) {
        // Positive control: the uncorrupted arguments are well formed (a refusal is about the data).
        const control = await app.gql({
          query: mutation,
          variables: valid,
          ...(who ? { token: as[who].accessToken } : {}),
        });
        expect({
          name,
          code: control.errors?.[0]?.extensions?.code ?? 'OK',
          message: control.errors?.[0]?.message,
        }).not.toMatchObject({
          code: expect.stringMatching(/BAD_USER_INPUT|INTERNAL_SERVER_ERROR/) as unknown,
        });
        await fc.assert(
          fc.asyncProperty(corrupt(valid), async (variables) => {
            const before = await counts();
            const res = await app.gql({ query: mutation, variables, ...(who ? { token: as[who].accessToken } : {}) });
            const code = res.errors?.[0]?.extensions?.code;
            expect({ name, status: res.status, code }).not.toMatchObject({ status: 500 });
            expect({ name, code }).not.toEqual({ name, code: 'INTERNAL_SERVER_ERROR' });
            if (res.errors?.length) expect({ name, counts: await counts() }).toEqual({ name, counts: before });
          }),
          { numRuns: propertyRuns(6) },
        );
      }
    },
    propertyTimeout(240_000),
  );

  it(
    'never answers a generated bad input with a 500, and writes nothing when it refuses',
    async () => {
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
          { numRuns: propertyRuns(12) },
        );
      }
    },
    propertyTimeout(120_000),
  );

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
