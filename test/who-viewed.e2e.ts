import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type DemoUser, demoWorld } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { actions } from './support/world.js';

/*
 * "Who has looked at this child's record, and why?" (PRODUCT.md, the auditor's question; SECURITY.md,
 * Audit). Every way a practitioner can read a child's record is done here as they would do it, and
 * the auditor must then find that read by asking about the family and by asking about the child —
 * not from rows written by hand. Each act carries its own request id, so its entries are told apart.
 */

const ENTRIES = `query ($filter: AuditFilter, $after: String) {
  auditEntries(filter: $filter, first: 40, after: $after) {
    edges { node { id action outcome actorId familyId personId subjectType subjectId reason detail requestId } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Entry {
  id: string;
  action: string;
  outcome: string;
  actorId: string | null;
  familyId: string | null;
  personId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  detail: string | null;
  requestId: string | null;
}

describe('who viewed this child, from the act', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let act: ReturnType<typeof actions>;
  let familyId: string;
  let childId: string;
  let eventId: string;
  const surname = `Viewed${randomUUID().slice(0, 6)}`;
  const dateOfBirth = new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as } = await demoWorld(app));
    act = actions(app);
    familyId = await act.newFamily(as['sam.social'], [as['dee.school'], as['hal.health']]);
    const { addPerson } = await act.data<{ addPerson: { id: string } }>(
      as['sam.social'],
      `mutation ($input: AddPersonInput!) { addPerson(input: $input) { id } }`,
      { input: { familyId, role: 'CHILD', givenName: 'Robin', familyName: surname, dateOfBirth } },
    );
    childId = addPerson.id;
    // An injury to a baby: an event about the child, and a RED alert matching it for the network.
    eventId = await act.post(as['hal.health'], familyId, {
      kind: 'INJURY',
      severity: 'HIGH',
      summary: 'Bruising seen at the clinic',
      subjectIds: [childId],
    });
  });
  afterAll(async () => {
    await app.close();
  });

  /** Does `query` as `who` with its own request id, and returns that id. */
  const read = async (who: DemoUser, query: string, variables: Record<string, unknown> = {}) => {
    const requestId = `who-viewed-${randomUUID()}`;
    const res = await app.gql({ query, variables, token: as[who].accessToken, headers: { 'x-request-id': requestId } });
    expect(res.errors).toBeUndefined();
    return { requestId, data: res.data as Record<string, unknown> };
  };

  /** What the auditor finds for `filter`, limited to one act's request. */
  const found = async (filter: Record<string, unknown>, requestId: string): Promise<Entry[]> => {
    const all: Entry[] = [];
    let after: string | null = null;
    for (;;) {
      const page: {
        auditEntries: { edges: { node: Entry }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      } = await act.data(as['aud.auditor'], ENTRIES, { filter, after });
      all.push(...page.auditEntries.edges.map((e) => e.node));
      if (!page.auditEntries.pageInfo.hasNextPage) return all.filter((e) => e.requestId === requestId);
      after = page.auditEntries.pageInfo.endCursor;
    }
  };

  /** The act is found by family and by child, as a READ by `who` of the listed subject types. */
  const expectFound = async (
    who: DemoUser,
    requestId: string,
    byFamily: string[],
    { reason = null }: { reason?: RegExp | null } = {},
  ) => {
    const forFamily = await found({ familyId, actorId: as[who].userId, action: 'READ' }, requestId);
    const forChild = await found({ personId: childId, actorId: as[who].userId, action: 'READ' }, requestId);
    expect(forFamily.map((e) => e.subjectType)).toEqual(expect.arrayContaining(byFamily));
    expect(forChild.length).toBeGreaterThan(0);
    for (const entry of [...forFamily, ...forChild]) {
      expect(entry).toMatchObject({ outcome: 'ALLOWED', actorId: as[who].userId });
      if (reason === null) expect(entry.reason ?? '').not.toMatch(/break.?glass/i);
      else expect(entry.reason).toMatch(reason);
    }
    return { forFamily, forChild };
  };

  it('finds a read of the family and its people', async () => {
    const { requestId } = await read(
      'dee.school',
      `query ($f: ID!) { family(id: $f) { reference people { id givenName dateOfBirth } } }`,
      { f: familyId },
    );
    const { forFamily } = await expectFound('dee.school', requestId, ['Family', 'Person']);
    expect(forFamily.find((e) => e.subjectType === 'Family')).toMatchObject({ subjectId: familyId });
  });

  it('finds a read of the timeline and the events’ subjects', async () => {
    const { requestId } = await read(
      'dee.school',
      `query ($f: ID!) { timeline(familyId: $f, first: 20) { edges { node { id summary subjects { id givenName } } } } }`,
      { f: familyId },
    );
    const { forFamily } = await expectFound('dee.school', requestId, ['TimelineEvent', 'Person']);
    const timelineRead = forFamily.find((e) => e.subjectType === 'TimelineEvent')!;
    expect(JSON.parse(timelineRead.detail!)).toMatchObject({ ids: expect.arrayContaining([eventId]) });
  });

  it('finds a read through nested fields: the caseload with its people and network', async () => {
    const { requestId } = await read(
      'dee.school',
      `{ myFamilies(first: 50) { edges { node { id people { id givenName } members { user { displayName } } } } } }`,
    );
    await expectFound('dee.school', requestId, ['Person', 'NetworkMember']);
  });

  it('finds a read of an alert’s matched events and their subjects', async () => {
    const { requestId, data } = await read(
      'dee.school',
      `{ alerts(first: 50) { edges { node { id family { id } matchedEvents { id summary subjects { id } } } } } }`,
    );
    const alerts = (
      data['alerts'] as { edges: { node: { family: { id: string }; matchedEvents: { id: string }[] } }[] }
    ).edges;
    expect(
      alerts.some((a) => a.node.family.id === familyId && a.node.matchedEvents.some((e) => e.id === eventId)),
    ).toBe(true);
    const { forFamily } = await expectFound('dee.school', requestId, ['TimelineEvent', 'Person']);
    expect(
      forFamily.some(
        (e) => e.subjectType === 'TimelineEvent' && (JSON.parse(e.detail!) as { ids: string[] }).ids.includes(eventId),
      ),
    ).toBe(true);
  });

  it('finds a search that found the child’s network', async () => {
    const { requestId, data } = await read(
      'pat.police',
      `query ($n: String!, $d: Date) { searchPeople(name: $n, dateOfBirth: $d) { familyId } }`,
      { n: `Robin ${surname}`, d: dateOfBirth },
    );
    expect(data['searchPeople']).toEqual([{ familyId }]);
    await expectFound('pat.police', requestId, ['PersonSearch']);
  });

  it('finds break-glass reads, tagged as such, and the grant itself', async () => {
    const grant = await act.data<{ requestBreakGlass: { id: string } }>(
      as['pat.police'],
      `mutation ($f: ID!) { requestBreakGlass(familyId: $f, reason: "Child's father arrested tonight, checking risk") { id } }`,
      { f: familyId },
    );
    const { requestId } = await read(
      'pat.police',
      `query ($f: ID!) { family(id: $f) { reference people { id } }
         timeline(familyId: $f, first: 20) { edges { node { id subjects { id } } } } }`,
      { f: familyId },
    );
    await expectFound('pat.police', requestId, ['Family', 'TimelineEvent', 'Person'], { reason: /break.?glass/i });
    const trail = await act.data<{ auditEntries: { edges: { node: Entry }[] } }>(as['aud.auditor'], ENTRIES, {
      filter: { familyId, action: 'BREAK_GLASS' },
    });
    expect(trail.auditEntries.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ actorId: as['pat.police'].userId, subjectId: grant.requestBreakGlass.id }),
    ]);
  });
});
