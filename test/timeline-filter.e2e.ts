import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCode } from '@hearth/testing';
import { demoWorld, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TIMELINE = `query ($familyId: ID!, $filter: TimelineFilter, $first: Int, $after: String) {
  timeline(familyId: $familyId, filter: $filter, first: $first, after: $after) {
    edges { node { id kind occurredAt redacted summary agency { id } subjects { id } } }
    pageInfo { hasNextPage endCursor }
  } }`;

interface EventNode {
  id: string;
  kind: string;
  occurredAt: string;
  redacted: boolean;
  summary: string | null;
  agency: { id: string } | null;
  subjects: { id: string }[];
}

describe('timeline filters', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  const timeline = async (who: DemoUser, familyId: string, filter: Record<string, unknown> | null) => {
    const data = await app.gqlData<{ timeline: { edges: { node: EventNode }[] } }>({
      query: TIMELINE,
      variables: { familyId, filter, first: 100 },
      token: as[who].accessToken,
    });
    return data.timeline.edges.map((e) => e.node);
  };

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as, families } = await demoWorld(app));
  }, 120_000);
  afterAll(() => app.close(), 60_000);

  it('narrows by kind, agency, person and date, and only ever within what the caller may see', async () => {
    const smith = families['NS-2026-0142']!;
    const all = await timeline('sam.social', smith, null);
    expect(all.length).toBeGreaterThan(2);

    const kinds = [...new Set(all.map((e) => e.kind))];
    const kind = kinds[0]!;
    const ofKind = await timeline('sam.social', smith, { kinds: [kind] });
    expect(ofKind.length).toBeGreaterThan(0);
    expect(ofKind.every((e) => e.kind === kind)).toBe(true);
    expect(ofKind.map((e) => e.id)).toEqual(all.filter((e) => e.kind === kind).map((e) => e.id));

    const police = as['pat.police'].agencyId;
    const byPolice = await timeline('sam.social', smith, { agencyId: police });
    expect(byPolice.length).toBeGreaterThan(0);
    expect(byPolice.map((e) => e.id)).toEqual(all.filter((e) => e.agency?.id === police).map((e) => e.id));

    const subject = all.flatMap((e) => e.subjects)[0]!.id;
    const about = await timeline('sam.social', smith, { subjectId: subject });
    expect(about.map((e) => e.id)).toEqual(
      all.filter((e) => e.subjects.some((s) => s.id === subject)).map((e) => e.id),
    );

    const times = all.map((e) => e.occurredAt).sort();
    const middle = times[Math.floor(times.length / 2)]!;
    const since = await timeline('sam.social', smith, { from: middle });
    expect(since.map((e) => e.id)).toEqual(all.filter((e) => e.occurredAt >= middle).map((e) => e.id));
    const before = await timeline('sam.social', smith, { to: middle });
    expect(before.map((e) => e.id)).toEqual(all.filter((e) => e.occurredAt < middle).map((e) => e.id));

    // A filter never widens: a redacted entry stays redacted, and another family stays NOT_FOUND.
    const deeAll = await timeline('dee.school', smith, { agencyId: police });
    expect(deeAll.filter((e) => e.redacted).every((e) => e.summary === null)).toBe(true);
    const outsider = await app.gql({
      query: TIMELINE,
      variables: { familyId: families['NS-2026-0157'], filter: { kinds: [kind] } },
      token: as['dee.school'].accessToken,
    });
    expect(errorCode(outsider)).toBe('NOT_FOUND');
  });

  it('never matches an agency filter on an author whose role is sensitive to a viewer of another agency', async () => {
    const brooks = families['NS-2026-0163']!;
    const police = as['pat.police'].agencyId;
    const { postEvent } = await app.gqlData<{ postEvent: { id: string } }>({
      query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
      variables: {
        input: {
          familyId: brooks,
          kind: 'NOTE',
          severity: 'LOW',
          occurredAt: new Date().toISOString(),
          summary: 'A visit',
        },
      },
      token: as['pat.police'].accessToken,
    });
    // Positive control: before pat marks the role sensitive, dee finds the entry under police.
    expect((await timeline('dee.school', brooks, { agencyId: police })).map((e) => e.id)).toContain(postEvent.id);
    await app.gqlData({
      query: `mutation ($f: ID!) { setMyRoleSensitive(familyId: $f, sensitive: true, contactRoute: "Via the lead social worker") { role } }`,
      variables: { f: brooks },
      token: as['pat.police'].accessToken,
    });
    expect((await timeline('dee.school', brooks, { agencyId: police })).map((e) => e.id)).not.toContain(postEvent.id);
    // The entry is still on dee's timeline, and pat's own agency still finds it by agency.
    expect((await timeline('dee.school', brooks, null)).map((e) => e.id)).toContain(postEvent.id);
    expect((await timeline('pat.police', brooks, { agencyId: police })).map((e) => e.id)).toContain(postEvent.id);
  });

  it('refuses a malformed filter with BAD_USER_INPUT naming the field', async () => {
    const response = await app.gql({
      query: TIMELINE,
      variables: { familyId: families['NS-2026-0142'], filter: { agencyId: 'not-a-uuid' } },
      token: as['sam.social'].accessToken,
    });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(response)).toContain('agencyId');
  });
});
