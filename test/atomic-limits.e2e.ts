import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCode, type GraphQLResponse } from '@hearth/testing';
import { demoWorld, query } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Limits hold under concurrency: the attempts are fired at once over real HTTP, and the counts
 * that got through are exactly the limit. Each scenario comes from its own client address (one
 * trusted proxy hop), so the per-address limit of one does not spill into another.
 */
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const SEARCH = `{ searchPeople(name: "amira hassan") { familyId } }`;

describe('atomic limits', () => {
  let app: TestApp;
  let dee: Session;

  const loginFrom = (address: string, email: string, password: string) =>
    app.gql({ query: LOGIN, variables: { email, password }, headers: { 'x-forwarded-for': address } });
  const codes = (responses: GraphQLResponse<unknown>[]) => {
    const counted: Record<string, number> = {};
    for (const res of responses) {
      const code = errorCode(res) ?? 'OK';
      counted[code] = (counted[code] ?? 0) + 1;
    }
    return counted;
  };
  const passwordChecks = async (email: string) =>
    (
      await query<{ n: number }>(
        app,
        `SELECT count(*)::int AS n FROM audit_entries a JOIN users u ON u.id::text = a.subject_id
         WHERE a.action = 'LOGIN_FAILED' AND u.email = $1`,
        [email],
      )
    ).rows[0]!.n;

  beforeAll(async () => {
    app = await startTestApp({ HEARTH_TRUSTED_PROXY_HOPS: '1' });
    ({
      sessions: { 'dee.school': dee },
    } = await demoWorld(app));
  });
  afterAll(async () => {
    await app.close();
  });

  it('tries at most 5 of 10 concurrent wrong passwords, and then refuses the right one', async () => {
    const email = 'mia.manager@demo.hearth';
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginFrom('198.51.100.1', email, `guess-${i}`)),
    );
    expect(codes(results)).toEqual({ UNAUTHENTICATED: 5, RATE_LIMITED: 5 });
    // Only five passwords were checked (each check of an existing account is a DENIED entry for it).
    expect(await passwordChecks(email)).toBe(5);
    const right = await loginFrom('198.51.100.2', email, 'hearth-demo');
    expect(errorCode(right)).toBe('RATE_LIMITED');
    expect(right.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = (right.errors?.[0]?.extensions as { retryAfter?: number } | undefined)?.retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it('lets a success give back only its own attempt, never the failures of others', async () => {
    const email = 'hal.health@demo.hearth';
    const results = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => loginFrom('198.51.100.3', email, `guess-${i}`)),
      loginFrom('198.51.100.3', email, 'hearth-demo'),
    ]);
    // Positive control: the right password, within the limit, logs in.
    expect(codes(results)).toEqual({ UNAUTHENTICATED: 4, OK: 1 });
    // The four failures still count: one more guess is tried, the next is refused.
    expect(errorCode(await loginFrom('198.51.100.4', email, 'guess-5'))).toBe('UNAUTHENTICATED');
    expect(errorCode(await loginFrom('198.51.100.4', email, 'guess-6'))).toBe('RATE_LIMITED');
  });

  it('limits one client address across accounts: 30 concurrent guesses, at most 20 tried', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => loginFrom('198.51.100.5', `nobody-${i}@demo.hearth`, 'guess')),
    );
    expect(codes(results)).toEqual({ UNAUTHENTICATED: 20, RATE_LIMITED: 10 });
    // Another address is not affected (positive control).
    expect(errorCode(await loginFrom('198.51.100.6', 'nobody-0@demo.hearth', 'guess'))).toBe('UNAUTHENTICATED');
  });

  it('lets at most 30 of 100 concurrent searchPeople calls through', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, () => app.gql({ query: SEARCH, token: dee.accessToken })),
    );
    expect(codes(results)).toEqual({ OK: 30, RATE_LIMITED: 70 });
    const searches = await query<{ n: number }>(
      app,
      // One entry per search (without a family); each child found adds a read of that child's record.
      `SELECT count(*)::int AS n FROM audit_entries
       WHERE actor_id = $1 AND subject_type = 'PersonSearch' AND family_id IS NULL`,
      [dee.userId],
    );
    expect(searches.rows[0]!.n).toBe(30);
  });
});
