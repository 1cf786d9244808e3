import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCode } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const FAMILY = `query ($id: ID!) { family(id: $id) {
  id reference protectionStatus lead { displayName agency { name } }
  members { role user { userId displayName jobTitle phone email contactRoute agency { name kind } } }
  people { id role givenName familyName dateOfBirth address addressWithheld } } }`;
const TIMELINE = `query ($familyId: ID!, $first: Int, $after: String) { timeline(familyId: $familyId, first: $first, after: $after) {
  edges { node { id kind visibility redacted summary body agency { name } author { displayName }
                 subjects { givenName } amends { id summary } replies { body author { displayName } } acknowledgedBy { displayName } } }
  pageInfo { hasNextPage endCursor } } }`;
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id visibility redacted summary } }`;

interface TimelineNode {
  id: string;
  kind: string;
  visibility: string;
  redacted: boolean;
  summary: string | null;
  body: string | null;
  agency: { name: string };
  amends: { id: string; summary: string | null } | null;
  replies: { body: string }[];
  acknowledgedBy: { displayName: string }[];
}

describe('family networks and the timeline', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  const walsh = () => families['NS-2026-0142']!;
  const hassan = () => families['NS-2026-0157']!;
  const brooks = () => families['NS-2026-0163']!;

  const timeline = async (who: DemoUser, familyId: string) =>
    (
      await app.gqlData<{ timeline: { edges: { node: TimelineNode }[] } }>({
        query: TIMELINE,
        variables: { familyId, first: 100 },
        token: as[who].accessToken,
      })
    ).timeline.edges.map((e) => e.node);

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as, families } = await demoWorld(app));
  });
  afterAll(async () => {
    await app.close();
  });

  it('shows a practitioner their caseload and who else works with each family', async () => {
    const mine = await app.gqlData<{ myFamilies: { edges: { node: { reference: string } }[] } }>({
      query: '{ myFamilies { edges { node { reference } } } }',
      token: as['sam.social'].accessToken,
    });
    expect(mine.myFamilies.edges.map((e) => e.node.reference).sort()).toEqual([
      'NS-2026-0142',
      'NS-2026-0157',
      'NS-2026-0163',
    ]);
    const { family } = await app.gqlData<{
      family: {
        lead: { displayName: string };
        members: { role: string; user: { displayName: string; agency: { kind: string } } }[];
      };
    }>({
      query: FAMILY,
      variables: { id: walsh() },
      token: as['dee.school'].accessToken,
    });
    expect(family.lead.displayName).toBe('Sam Okafor');
    expect(family.members.map((m) => m.user.agency.kind).sort()).toEqual([
      'EDUCATION',
      'HEALTH',
      'POLICE',
      'SOCIAL_CARE',
    ]);
  });

  it('gives the same NOT_FOUND for a family that is not yours as for one that does not exist', async () => {
    const foreign = await app.gql({ query: FAMILY, variables: { id: brooks() }, token: as['hal.health'].accessToken });
    const missing = await app.gql({
      query: FAMILY,
      variables: { id: '00000000-0000-4000-8000-000000000001' },
      token: as['hal.health'].accessToken,
    });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(foreign.errors).toEqual(missing.errors);
    expect(
      errorCode(
        await app.gql({ query: TIMELINE, variables: { familyId: brooks() }, token: as['hal.health'].accessToken }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('shows agency-only and restricted events as existing but redacted outside their audience', async () => {
    const forPat = await timeline('pat.police', walsh());
    const forDee = await timeline('dee.school', walsh());
    const intelForPat = forPat.find((e) => e.visibility === 'AGENCY')!;
    const intelForDee = forDee.find((e) => e.id === intelForPat.id)!;
    expect(intelForPat).toMatchObject({ redacted: false, summary: expect.stringContaining('caution') });
    expect(intelForDee).toMatchObject({
      redacted: true,
      summary: null,
      body: null,
      replies: [],
      agency: { name: 'Northshire Police' },
    });

    const forSam = await timeline('sam.social', hassan());
    const restricted = forSam.find((e) => e.visibility === 'RESTRICTED')!;
    expect(restricted.redacted).toBe(false);
    expect(restricted.summary).toContain('low mood');
  });

  it('keeps corrections as amendments that point at the original', async () => {
    const events = await timeline('dee.school', walsh());
    const amendment = events.find((e) => e.amends !== null)!;
    expect(amendment.summary).toContain('police attended');
    const original = events.find((e) => e.id === amendment.amends!.id)!;
    expect(original.summary).toBe('Team around the family meeting held');
    expect(original.replies.map((r) => r.body)).toContain('Breakfast club place confirmed from Monday.');
  });

  it('lets members post, defaulting visibility from the agency sharing policy', async () => {
    await app.gqlData({
      query: `mutation { setSharingPolicy(input: { kind: INCIDENT, visibility: AGENCY }) { name sharingPolicy { kind visibility } } }`,
      token: as['ada.admin'].accessToken,
    });
    const posted = await app.gqlData<{ postEvent: { id: string; visibility: string } }>({
      query: POST,
      variables: {
        input: {
          familyId: walsh(),
          kind: 'INCIDENT',
          severity: 'MEDIUM',
          occurredAt: new Date().toISOString(),
          summary: 'Officer welfare check at the address',
        },
      },
      token: as['pat.police'].accessToken,
    });
    expect(posted.postEvent.visibility).toBe('AGENCY');
    const forDee = await timeline('dee.school', walsh());
    expect(forDee.find((e) => e.id === posted.postEvent.id)).toMatchObject({ redacted: true, summary: null });
  });

  it('refuses bad event input, naming the field, and writes nothing', async () => {
    const before = await query<{ n: number }>(app, `SELECT count(*)::int AS n FROM timeline_events`);
    const base = {
      familyId: walsh(),
      kind: 'CONCERN',
      severity: 'LOW',
      occurredAt: new Date().toISOString(),
      summary: 'x',
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, summary: '' }, 'summary'],
      [{ ...base, summary: 'line\u0000break' }, 'summary'],
      [{ ...base, occurredAt: new Date(Date.now() + 86_400_000).toISOString() }, 'occurredAt'],
      [{ ...base, subjectIds: ['00000000-0000-4000-8000-000000000002'] }, 'subjectIds'],
      [{ ...base, visibility: 'RESTRICTED' }, 'audienceUserIds'],
      [{ ...base, summary: 'y'.repeat(501) }, 'summary'],
    ];
    for (const [input, field] of cases) {
      const res = await app.gql({ query: POST, variables: { input }, token: as['sam.social'].accessToken });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.field).toBe(field);
    }
    for (const input of [
      { ...base, kind: 'GOSSIP' },
      { ...base, authorId: as['dee.school'].userId },
      { ...base, occurredAt: 'yesterday' },
    ]) {
      expect(errorCode(await app.gql({ query: POST, variables: { input }, token: as['sam.social'].accessToken }))).toBe(
        'BAD_USER_INPUT',
      );
    }
    const after = await query<{ n: number }>(app, `SELECT count(*)::int AS n FROM timeline_events`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('answers "is there a network for this child?" with the lead and nothing else', async () => {
    const res = await app.gqlData<{
      searchPeople: { familyId: string; lead: { displayName: string; phone: string } }[];
    }>({
      query: `{ searchPeople(name: "amira hassan", dateOfBirth: "2026-03-02") { familyId lead { displayName phone } } }`,
      token: as['dee.school'].accessToken,
    });
    expect(res.searchPeople).toEqual([
      { familyId: hassan(), lead: { displayName: 'Sam Okafor', phone: '01632 960102' } },
    ]);
    expect(
      errorCode(
        await app.gql({
          query: `{ searchPeople(name: "amira hassan") { familyId } }`,
          token: as['aud.auditor'].accessToken,
        }),
      ),
    ).toBe('FORBIDDEN');
    expect(
      errorCode(
        await app.gql({
          query: `{ searchPeople(name: "amira hassan", dateOfBirth: "2026-02-30") { familyId } }`,
          token: as['dee.school'].accessToken,
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    // Not found without the right date of birth.
    const wrong = await app.gqlData<{ searchPeople: unknown[] }>({
      query: `{ searchPeople(name: "amira hassan", dateOfBirth: "2026-03-03") { familyId } }`,
      token: as['dee.school'].accessToken,
    });
    expect(wrong.searchPeople).toEqual([]);
  });

  it('lets a practitioner ask to join, and the lead decide', async () => {
    const request = await app.gqlData<{ requestToJoin: { id: string; status: string } }>({
      query: `mutation ($f: ID!) { requestToJoin(familyId: $f, reason: "I am Amira's new nursery key worker") { id status } }`,
      variables: { f: hassan() },
      token: as['dee.school'].accessToken,
    });
    expect(request.requestToJoin.status).toBe('PENDING');
    expect(
      errorCode(await app.gql({ query: FAMILY, variables: { id: hassan() }, token: as['dee.school'].accessToken })),
    ).toBe('NOT_FOUND');
    const notLead = await app.gql({
      query: `mutation ($id: ID!) { decideJoinRequest(id: $id, approve: true) { status } }`,
      variables: { id: request.requestToJoin.id },
      token: as['hal.health'].accessToken,
    });
    expect(errorCode(notLead)).toBe('FORBIDDEN');
    await app.gqlData({
      query: `mutation ($id: ID!) { decideJoinRequest(id: $id, approve: true) { status } }`,
      variables: { id: request.requestToJoin.id },
      token: as['sam.social'].accessToken,
    });
    expect(
      errorCode(await app.gql({ query: FAMILY, variables: { id: hassan() }, token: as['dee.school'].accessToken })),
    ).toBeUndefined();
    // The restricted note stays restricted to its audience.
    expect((await timeline('dee.school', hassan())).find((e) => e.visibility === 'RESTRICTED')).toMatchObject({
      redacted: true,
      summary: null,
    });
  });

  it('withholds an address from other agencies when it is marked withheld', async () => {
    const people = async (who: DemoUser) =>
      (
        await app.gqlData<{
          family: { people: { givenName: string; address: string | null; addressWithheld: boolean }[] };
        }>({ query: FAMILY, variables: { id: hassan() }, token: as[who].accessToken })
      ).family.people;
    expect((await people('hal.health')).find((p) => p.givenName === 'Leila')).toMatchObject({
      address: null,
      addressWithheld: true,
    });
    expect((await people('sam.social')).find((p) => p.givenName === 'Leila')!.address).toContain('Refuge');
  });

  it('shows a sensitive member as a practitioner with a contact route to other agencies', async () => {
    await app.gqlData({
      query: `mutation ($f: ID!) { setMyRoleSensitive(familyId: $f, sensitive: true, contactRoute: "Via the lead social worker") { role } }`,
      variables: { f: brooks() },
      token: as['pat.police'].accessToken,
    });
    const members = async (who: DemoUser) =>
      (
        await app.gqlData<{
          family: {
            members: {
              user: {
                userId: string;
                displayName: string;
                agency: { name: string } | null;
                contactRoute: string | null;
              };
            }[];
          };
        }>({ query: FAMILY, variables: { id: brooks() }, token: as[who].accessToken })
      ).family.members;
    const seenByDee = (await members('dee.school')).find((m) => m.user.displayName === 'A practitioner')!;
    // Not pat's user id, which would link the card to pat's cards in other families.
    expect(seenByDee.user.userId).not.toBe(as['pat.police'].userId);
    expect(seenByDee.user).toEqual({
      userId: seenByDee.user.userId,
      displayName: 'A practitioner',
      jobTitle: null,
      phone: null,
      email: null,
      agency: null,
      contactRoute: 'Via the lead social worker',
    });
  });

  it('gives break-glass access read-only, for a limited time, for an auditor to review', async () => {
    const grant = await app.gqlData<{ requestBreakGlass: { id: string; expiresAt: string } }>({
      query: `mutation ($f: ID!) { requestBreakGlass(familyId: $f, reason: "A&E: Tyler brought in at 02:00, unaccompanied") { id expiresAt } }`,
      variables: { f: brooks() },
      token: as['hal.health'].accessToken,
    });
    const hours = (Date.parse(grant.requestBreakGlass.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(3.9);
    expect(hours).toBeLessThanOrEqual(4);
    expect((await timeline('hal.health', brooks())).length).toBeGreaterThan(0);
    const post = await app.gql({
      query: POST,
      variables: {
        input: {
          familyId: brooks(),
          kind: 'NOTE',
          severity: 'LOW',
          occurredAt: new Date().toISOString(),
          summary: 'seen',
        },
      },
      token: as['hal.health'].accessToken,
    });
    expect(errorCode(post)).toBe('FORBIDDEN');
    const review = `mutation ($id: ID!) { reviewAccessGrant(id: $id, outcome: APPROPRIATE, note: "Emergency attendance, justified") { reviewOutcome } }`;
    expect(
      errorCode(
        await app.gql({
          query: review,
          variables: { id: grant.requestBreakGlass.id },
          token: as['sam.social'].accessToken,
        }),
      ),
    ).toBe('FORBIDDEN');
    const pending = await app.gqlData<{ accessGrants: { edges: { node: { id: string } }[] } }>({
      query: `{ accessGrants(pendingReview: true) { edges { node { id } } } }`,
      token: as['aud.auditor'].accessToken,
    });
    expect(pending.accessGrants.edges.map((e) => e.node.id)).toContain(grant.requestBreakGlass.id);
    const reviewed = await app.gqlData<{ reviewAccessGrant: { reviewOutcome: string } }>({
      query: review,
      variables: { id: grant.requestBreakGlass.id },
      token: as['aud.auditor'].accessToken,
    });
    expect(reviewed.reviewAccessGrant.reviewOutcome).toBe('APPROPRIATE');
    await query(app, `UPDATE access_grants SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      grant.requestBreakGlass.id,
    ]);
    expect(
      errorCode(
        await app.gql({ query: TIMELINE, variables: { familyId: brooks() }, token: as['hal.health'].accessToken }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('takes a removed or expired member out at once', async () => {
    expect(
      errorCode(
        await app.gql({ query: TIMELINE, variables: { familyId: walsh() }, token: as['hal.health'].accessToken }),
      ),
    ).toBeUndefined();
    await app.gqlData({
      query: `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`,
      variables: { f: walsh(), u: as['hal.health'].userId },
      token: as['sam.social'].accessToken,
    });
    expect(
      errorCode(
        await app.gql({ query: TIMELINE, variables: { familyId: walsh() }, token: as['hal.health'].accessToken }),
      ),
    ).toBe('NOT_FOUND');
    expect(
      errorCode(await app.gql({ query: FAMILY, variables: { id: walsh() }, token: as['hal.health'].accessToken })),
    ).toBe('NOT_FOUND');

    await query(
      app,
      `UPDATE network_members SET expires_at = now() - interval '1 second' WHERE family_id = $1 AND user_id = $2`,
      [brooks(), as['dee.school'].userId],
    );
    expect(
      errorCode(await app.gql({ query: FAMILY, variables: { id: brooks() }, token: as['dee.school'].accessToken })),
    ).toBe('NOT_FOUND');
  });

  it('shows admins, auditors and partnership admins no case content by any path', async () => {
    for (const who of ['ada.admin', 'aud.auditor', 'pam.partner'] as const) {
      const token = as[who].accessToken;
      expect(errorCode(await app.gql({ query: FAMILY, variables: { id: walsh() }, token }))).toBe('NOT_FOUND');
      expect(errorCode(await app.gql({ query: TIMELINE, variables: { familyId: walsh() }, token }))).toBe('NOT_FOUND');
      const mine = await app.gqlData<{ myFamilies: { edges: unknown[] } }>({
        query: '{ myFamilies { edges { cursor } } }',
        token,
      });
      expect(mine.myFamilies.edges).toEqual([]);
    }
  });

  it('opens a network, adds people and members, and the network sees the post', async () => {
    const { createFamily } = await app.gqlData<{ createFamily: { id: string; lead: { displayName: string } } }>({
      query: `mutation { createFamily(input: { reference: "NS-2026-0200", protectionStatus: CHILD_IN_NEED }) { id lead { displayName } } }`,
      token: as['hal.health'].accessToken,
    });
    expect(createFamily.lead.displayName).toBe('Hal Ahmed');
    const { addPerson } = await app.gqlData<{ addPerson: { id: string } }>({
      query: `mutation ($f: ID!) { addPerson(input: { familyId: $f, role: CHILD, givenName: "Noah", familyName: "Price", dateOfBirth: "2025-12-01" }) { id } }`,
      variables: { f: createFamily.id },
      token: as['hal.health'].accessToken,
    });
    await app.gqlData({
      query: `mutation ($f: ID!, $u: ID!) { addNetworkMember(familyId: $f, userId: $u) { role } }`,
      variables: { f: createFamily.id, u: as['sam.social'].userId },
      token: as['hal.health'].accessToken,
    });
    const posted = await app.gqlData<{ postEvent: { id: string } }>({
      query: POST,
      variables: {
        input: {
          familyId: createFamily.id,
          kind: 'CONCERN',
          severity: 'MEDIUM',
          occurredAt: new Date().toISOString(),
          summary: 'Bruise on cheek at the 12-week check',
          subjectIds: [addPerson.id],
        },
      },
      token: as['hal.health'].accessToken,
    });
    const seen = await timeline('sam.social', createFamily.id);
    expect(seen.map((e) => e.id)).toContain(posted.postEvent.id);
    const reply = await app.gql({
      query: `mutation ($e: ID!) { replyToEvent(eventId: $e, body: "Visiting today.") { id } }`,
      variables: { e: posted.postEvent.id },
      token: as['sam.social'].accessToken,
    });
    expect(errorCode(reply)).toBeUndefined();
    const ack = await app.gqlData<{ acknowledgeEvent: { acknowledgedBy: { displayName: string }[] } }>({
      query: `mutation ($e: ID!) { acknowledgeEvent(eventId: $e) { acknowledgedBy { displayName } } }`,
      variables: { e: posted.postEvent.id },
      token: as['sam.social'].accessToken,
    });
    expect(ack.acknowledgeEvent.acknowledgedBy.map((c) => c.displayName)).toEqual(['Sam Okafor']);
  });
});
