import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCode, type GraphQLResponse } from '@hearth/testing';
import { demoWorld, query } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

function codes(responses: GraphQLResponse<unknown>[]): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const res of responses) {
    const code = errorCode(res) ?? 'OK';
    counted[code] = (counted[code] ?? 0) + 1;
  }
  return counted;
}

/** Fires `total` calls, `concurrency` at a time, as a script would. */
async function burst<T>(total: number, concurrency: number, call: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < total; i += concurrency)
    results.push(
      ...(await Promise.all(Array.from({ length: Math.min(concurrency, total - i) }, (_, j) => call(i + j)))),
    );
  return results;
}

describe('rate limits on mutations', () => {
  let app: TestApp;
  let sam: Session;
  let hal: Session;
  let familyId: string;
  const post = (app: TestApp, session: Session, summary: string, headers: Record<string, string> = {}) =>
    app.gql({
      query: POST,
      variables: {
        input: { familyId, kind: 'NOTE', severity: 'LOW', occurredAt: '2026-11-01T10:00:00Z', summary },
      },
      token: session.accessToken,
      headers,
    });
  const events = async (app: TestApp, like: string) =>
    (await query<{ n: number }>(app, `SELECT count(*)::int AS n FROM timeline_events WHERE summary LIKE $1`, [like]))
      .rows[0]!.n;

  beforeAll(async () => {
    // The shipped defaults: 60 mutations a minute per user, 600 per client address.
    app = await startTestApp({
      HEARTH_MUTATIONS_PER_MINUTE_PER_USER: '60',
      HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS: '600',
    });
    const world = await demoWorld(app);
    sam = world.sessions['sam.social'];
    hal = world.sessions['hal.health'];
    familyId = world.families['NS-2026-0142']!;
  });
  afterAll(async () => {
    await app.close();
  });

  it('stops a script posting 150 events in a burst after 60, with RATE_LIMITED and retryAfter', async () => {
    const results = await burst(150, 10, (i) => post(app, sam, `script ${i}`));
    expect(codes(results)).toEqual({ OK: 60, RATE_LIMITED: 90 });
    expect(await events(app, 'script %')).toBe(60);
    const refused = results.find((r) => errorCode(r) === 'RATE_LIMITED')!;
    expect(refused.status).toBe(429);
    const retryAfter = (refused.errors![0]!.extensions as { retryAfter?: number }).retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another practitioner is not slowed down by sam's script (positive control).
    expect(errorCode(await post(app, hal, 'hal carries on'))).toBeUndefined();
  });

  it('counts every root field of an operation: aliases do not multiply the allowance', async () => {
    const many = Array.from(
      { length: 15 },
      (_, i) => `p${i}: postEvent(input: { familyId: "${familyId}", kind: NOTE, severity: LOW,
         occurredAt: "2026-11-01T10:00:00Z", summary: "alias ${i}" }) { id }`,
    ).join('\n');
    const pat = (await demoWorld(app)).sessions['mia.manager'];
    const first = await app.gql({ query: `mutation { ${many} }`, token: pat.accessToken });
    expect(errorCode(first)).toBeUndefined();
    const results = await burst(4, 4, () => app.gql({ query: `mutation { ${many} }`, token: pat.accessToken }));
    // 15 + 3 × 15 = 60 fit; the fifth operation of 15 fields does not run at all.
    expect(codes(results)).toEqual({ OK: 3, RATE_LIMITED: 1 });
    expect(await events(app, 'alias %')).toBe(60);
  });

  describe('per client address, behind one trusted proxy', () => {
    let proxied: TestApp;
    let samThere: Session;

    beforeAll(async () => {
      proxied = await startTestApp({
        HEARTH_TRUSTED_PROXY_HOPS: '1',
        HEARTH_MUTATIONS_PER_MINUTE_PER_USER: '1000',
        HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS: '20',
      });
      samThere = (await demoWorld(proxied)).sessions['sam.social'];
    });
    afterAll(async () => {
      await proxied.close();
    });

    it('counts the real address: a forged X-Forwarded-For entry changes nothing', async () => {
      // The proxy appends the address it saw; whatever the client wrote before it is ignored.
      const results = await burst(30, 10, (i) =>
        post(proxied, samThere, `forged ${i}`, { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.9` }),
      );
      expect(codes(results)).toEqual({ OK: 20, RATE_LIMITED: 10 });
      expect(await events(proxied, 'forged %')).toBe(20);
      // Another real address has its own allowance (positive control).
      expect(
        errorCode(await post(proxied, samThere, 'elsewhere', { 'x-forwarded-for': '203.0.113.10' })),
      ).toBeUndefined();
    });
  });
});
