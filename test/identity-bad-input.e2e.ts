import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import { propertyRuns, propertyTimeout } from './support/property.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sized for a loaded 2-core machine: every test signs in (argon2id) several times.
jest.setTimeout(120_000);

/**
 * Generated bad input at identity's own operations (sign-in steps, passwords, resets, second
 * factor, contact card, directory): never a 500 or an internal error, and a refused request
 * leaves accounts, credentials, resets and second factors exactly as they were.
 */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 2000, maxLength: 20_000 }),
  fc.constantFrom('\u0000', '\u001b[31mred', 'line\nbreak', "'; DROP TABLE users; --", 'NOT_AN_ENUM', '%', '_'),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}}') as unknown),
  fc.array(fc.string(), { maxLength: 3 }),
);

function corrupt(valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(valid);
  return fc
    .record({
      replace: fc.subarray(keys, { minLength: 1 }),
      values: fc.array(nasty, { minLength: keys.length, maxLength: keys.length }),
    })
    .map(({ replace, values }) => {
      const input: Record<string, unknown> = { ...valid };
      replace.forEach((key, i) => (input[key] = values[i]));
      return input;
    });
}

/** Identity's state that a refused request must not touch. */
const STATE = `SELECT md5(string_agg(x, '|' ORDER BY x)) AS state FROM (
  SELECT u.id || u.status || coalesce(u.job_title, '') || coalesce(u.phone, '') || coalesce(u.contact_route, '')
         || u.must_change_password::text || array_to_string(u.roles, ',') AS x FROM users u
  UNION ALL SELECT user_id || password_hash FROM credentials
  UNION ALL SELECT id || coalesce(used_at::text, '') FROM password_resets
  UNION ALL SELECT user_id || coalesce(confirmed_at::text, '') || coalesce(last_used_step::text, '') FROM mfa_factors
  UNION ALL SELECT id || coalesce(revoked_at::text, '') FROM sessions
) s`;

describe('bad input at identity’s operations', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  const state = async () => (await query<{ state: string }>(app, STATE)).rows[0]!.state;

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as } = await demoWorld(app));
  });
  afterAll(async () => {
    await app.close();
  });

  const cases = (): { name: string; who?: DemoUser; operation: string; valid: Record<string, unknown> }[] => [
    {
      name: 'updateMyContactCard',
      who: 'sam.social',
      operation: `mutation ($jobTitle: String, $phone: String, $contactRoute: String) {
        updateMyContactCard(input: { jobTitle: $jobTitle, phone: $phone, contactRoute: $contactRoute }) { id } }`,
      valid: { jobTitle: 'Social Worker', phone: '+44 1632 960000', contactRoute: 'Duty desk' },
    },
    {
      name: 'changeMyPassword',
      who: 'hal.health',
      operation: `mutation ($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, newPassword: $n) }`,
      valid: { c: 'not-the-current-one', n: 'Lighthouse river autumn 5' },
    },
    {
      name: 'completeLogin',
      operation: `mutation ($t: String!, $code: String, $p: String) { completeLogin(challengeToken: $t, code: $code, newPassword: $p) { accessToken } }`,
      valid: { t: 'eyJhbGciOiJFZERTQSJ9.e30.x', code: '123456', p: 'Lighthouse river autumn 5' },
    },
    {
      name: 'completePasswordReset',
      operation: `mutation ($t: String!, $p: String!) { completePasswordReset(token: $t, newPassword: $p) }`,
      valid: { t: 'a-token-nobody-was-given', p: 'Lighthouse river autumn 5' },
    },
    {
      name: 'resetUserPassword',
      who: 'ada.admin',
      operation: `mutation ($u: ID!) { resetUserPassword(userId: $u) { expiresAt } }`,
      valid: { u: '00000000-0000-4000-8000-000000000000' },
    },
    {
      name: 'enableUser',
      who: 'ada.admin',
      operation: `mutation ($u: ID!) { enableUser(userId: $u) { id } }`,
      valid: { u: '00000000-0000-4000-8000-000000000000' },
    },
    {
      name: 'confirmMfaEnrolment',
      who: 'dee.school',
      operation: `mutation ($code: String!) { confirmMfaEnrolment(code: $code) }`,
      valid: { code: '123456' },
    },
    {
      name: 'regenerateRecoveryCodes',
      who: 'dee.school',
      operation: `mutation ($code: String!) { regenerateRecoveryCodes(code: $code) }`,
      valid: { code: '123456' },
    },
    {
      name: 'directory',
      who: 'mia.manager',
      operation: `query ($s: String!, $a: ID, $r: Role) { directory(search: $s, agencyId: $a, role: $r) { userId } }`,
      valid: { s: 'Northshire', a: null, r: 'PRACTITIONER' },
    },
  ];

  it(
    'never answers with a 500, and writes nothing when it refuses',
    async () => {
      for (const { name, who, operation, valid } of cases()) {
        await fc.assert(
          fc.asyncProperty(corrupt(valid), async (variables) => {
            const before = await state();
            const res = await app.gql({ query: operation, variables, token: who ? as[who].accessToken : undefined });
            const code = res.errors?.[0]?.extensions?.code;
            expect({ name, status: res.status }).not.toEqual({ name, status: 500 });
            expect({ name, code }).not.toEqual({ name, code: 'INTERNAL_SERVER_ERROR' });
            if (res.errors?.length) expect({ name, state: await state() }).toEqual({ name, state: before });
          }),
          { numRuns: propertyRuns(12) },
        );
      }
    },
    propertyTimeout(120_000),
  );
});
