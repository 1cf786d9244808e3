import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectSocket } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Repeated break-glass by one user is flagged for the auditors: the third use within 30 days
 * and every one after it, counted per user, also when the uses arrive at once.
 */
const BREAK_GLASS = `mutation ($f: ID!, $r: String!) { requestBreakGlass(familyId: $f, reason: $r) { id userId familyId flagged } }`;
const GRANTS = `{ accessGrants(pendingReview: true, first: 100) { edges { node { id userId familyId flagged } } } }`;
const ENTRIES = `{ auditEntries(first: 100, filter: { action: BREAK_GLASS }) { edges { node { subjectId detail } } } }`;

interface Grant {
  id: string;
  userId: string;
  familyId: string;
  flagged: boolean;
}

describe('repeated break-glass', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let created = 0;

  const family = async () => {
    const reference = `NS-2026-08${String(created++).padStart(2, '0')}`;
    const { createFamily } = await app.gqlData<{ createFamily: { id: string } }>({
      query: `mutation ($r: String!) { createFamily(input: { reference: $r }) { id } }`,
      variables: { r: reference },
      token: as['sam.social'].accessToken,
    });
    return createFamily.id;
  };
  const breakGlass = async (who: DemoUser, familyId: string) =>
    (
      await app.gqlData<{ requestBreakGlass: Grant }>({
        query: BREAK_GLASS,
        variables: { f: familyId, r: `Out of hours call about a child in this family (${who})` },
        token: as[who].accessToken,
      })
    ).requestBreakGlass;
  const grantsSeenByAuditor = async () =>
    new Map(
      (
        await app.gqlData<{ accessGrants: { edges: { node: Grant }[] } }>({
          query: GRANTS,
          token: as['aud.auditor'].accessToken,
        })
      ).accessGrants.edges.map((e) => [e.node.id, e.node.flagged]),
    );

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as } = await demoWorld(app));
  });
  afterAll(() => app.close());

  it('flags the third use by one user within 30 days and each after it, for that user only, where the auditors look', async () => {
    const auditor = await connectSocket(app.url, as['aud.auditor'].accessToken);
    try {
      const hal: Grant[] = [];
      for (let i = 0; i < 4; i++) {
        hal.push(await breakGlass('hal.health', await family()));
        // Another user's use in between counts for her, not for hal.
        if (i === 1) expect((await breakGlass('dee.school', await family())).flagged).toBe(false);
      }
      expect(hal.map((g) => g.flagged)).toEqual([false, false, true, true]);

      // The auditors see the flag on the grants awaiting review, and in the trail.
      const seen = await grantsSeenByAuditor();
      expect(hal.map((g) => seen.get(g.id))).toEqual([false, false, true, true]);
      const { auditEntries } = await app.gqlData<{
        auditEntries: { edges: { node: { subjectId: string; detail: string } }[] };
      }>({ query: ENTRIES, token: as['aud.auditor'].accessToken });
      const detail = new Map(auditEntries.edges.map((e) => [e.node.subjectId, JSON.parse(e.node.detail) as object]));
      expect(hal.map((g) => detail.get(g.id))).toEqual(
        [false, false, true, true].map((flagged) => expect.objectContaining({ flagged })),
      );
      // And are told of each use as it happens.
      for (const g of hal) await auditor.next((n) => n.type === 'ACCESS_GRANTED' && n.familyId === g.familyId);
    } finally {
      auditor.close();
    }
  });

  it('counts only the last 30 days', async () => {
    const first = await breakGlass('pat.police', await family());
    const second = await breakGlass('pat.police', await family());
    expect([first.flagged, second.flagged]).toEqual([false, false]);
    // pat's two uses were 31 days ago: a third now is the first in the window.
    await query(app, `UPDATE access_grants SET granted_at = granted_at - interval '31 days' WHERE user_id = $1`, [
      as['pat.police'].userId,
    ]);
    const third = await breakGlass('pat.police', await family());
    expect(third.flagged).toBe(false);
    // The control: two more within the window, and the second of them is the third in 30 days.
    expect((await breakGlass('pat.police', await family())).flagged).toBe(false);
    expect((await breakGlass('pat.police', await family())).flagged).toBe(true);
  });

  it('flags repeated use that arrives all at once', async () => {
    const families = await Promise.all(Array.from({ length: 5 }, () => family()));
    const grants = await Promise.all(families.map((f) => breakGlass('mia.manager', f)));
    expect(grants.every((g) => g.userId === as['mia.manager'].userId)).toBe(true);
    // Whatever the order they were decided in, exactly two were within the allowance.
    expect(grants.filter((g) => !g.flagged)).toHaveLength(2);
    expect(grants.filter((g) => g.flagged)).toHaveLength(3);
  });
});
