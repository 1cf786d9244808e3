import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCode, type GraphQLResponse } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import { openSession, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * The authorization matrix of SECURITY.md "Access control" and PRODUCT.md: every role × every
 * relationship with a family × every event visibility × every operation → the expected outcome.
 *
 * The expectation comes from `expected()` below, written from the design documents and not from
 * libs/authz: case data is for active network members and holders of an unexpired grant, within
 * each event's visibility; a grant is read-only; the lead or a manager in the network removes
 * members; agency admins, auditors and partnership admins see no case content by any path; what
 * the caller may not see is NOT_FOUND, what they may see but not do is FORBIDDEN.
 */

const ROLES = ['PRACTITIONER', 'MANAGER', 'AGENCY_ADMIN', 'AUDITOR', 'PARTNERSHIP_ADMIN'] as const;
const RELATIONSHIPS = ['member', 'non-member', 'removed', 'expired', 'granted'] as const;
const VISIBILITIES = ['NETWORK', 'AGENCY (other agency)', 'RESTRICTED (someone else)', 'RESTRICTED (me)'] as const;
/** Operations on one event, whose outcome depends on its visibility. */
const EVENT_OPS = ['read timeline', 'reply', 'acknowledge'] as const;
/** Operations on the family as a whole. */
const FAMILY_OPS = [
  'read family',
  'post',
  'amend (own agency)',
  'add member',
  'remove member',
  'searchPeople',
] as const;

type RoleName = (typeof ROLES)[number];
type Relationship = (typeof RELATIONSHIPS)[number];
type VisibilityCase = (typeof VISIBILITIES)[number];
type Operation = (typeof EVENT_OPS)[number] | (typeof FAMILY_OPS)[number];
type Outcome = 'OK' | 'NOT_FOUND' | 'FORBIDDEN' | 'REDACTED';

interface Row {
  role: RoleName;
  relationship: Relationship;
  visibility: VisibilityCase | null;
  operation: Operation;
  outcome: Outcome;
}

/** The rule, from PRODUCT.md and SECURITY.md. */
function expected(
  role: RoleName,
  relationship: Relationship,
  op: Operation,
  visibility: VisibilityCase | null,
): Outcome {
  const worksWithFamilies = role === 'PRACTITIONER' || role === 'MANAGER';
  if (op === 'searchPeople') return worksWithFamilies ? 'OK' : 'FORBIDDEN';
  // Legitimate relationship: an active, unexpired member, or an unexpired grant; never an admin role.
  const sees = worksWithFamilies && (relationship === 'member' || relationship === 'granted');
  if (!sees) return 'NOT_FOUND';
  const inAudience = visibility === 'NETWORK' || visibility === 'RESTRICTED (me)' || visibility === null;
  if (op === 'read family') return 'OK';
  if (op === 'read timeline') return inAudience ? 'OK' : 'REDACTED';
  // A break-glass grant is read-only.
  if (relationship === 'granted') return 'FORBIDDEN';
  switch (op) {
    case 'post':
    case 'amend (own agency)':
    case 'add member':
      return 'OK';
    case 'reply':
    case 'acknowledge':
      // Nobody discusses or signs for content they may not read.
      return inAudience ? 'OK' : 'FORBIDDEN';
    case 'remove member':
      // The lead or a manager in the network decides; the subjects here are plain members.
      return role === 'MANAGER' ? 'OK' : 'FORBIDDEN';
  }
}

const ROWS: Row[] = ROLES.flatMap((role) =>
  RELATIONSHIPS.flatMap((relationship) => [
    ...FAMILY_OPS.map((operation) => ({
      role,
      relationship,
      visibility: null,
      operation,
      outcome: expected(role, relationship, operation, null),
    })),
    ...EVENT_OPS.flatMap((operation) =>
      VISIBILITIES.map((visibility) => ({
        role,
        relationship,
        visibility,
        operation,
        outcome: expected(role, relationship, operation, visibility),
      })),
    ),
  ]),
);

const PASSWORD = 'matrix-password-1234';
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;
const TIMELINE = `query ($familyId: ID!) { timeline(familyId: $familyId, first: 100) {
  edges { node { id redacted summary body } } } }`;

describe('the authorization matrix', () => {
  let app: TestApp;
  let demo: Record<DemoUser, Session>;
  /** The user under test per role, all in Northshire Police. */
  const subject = {} as Record<RoleName, Session>;
  /** Per role: a practitioner to add, and a member to remove. */
  const toAdd = {} as Record<RoleName, string>;
  const toRemove = {} as Record<RoleName, string>;
  /** Per relationship: a family, led by sam.social, where every subject has that relationship. */
  const family = {} as Record<Relationship, string>;
  /** Per relationship: the events of that family, by visibility, and the police event to amend. */
  const events = {} as Record<Relationship, Record<VisibilityCase | 'own agency', string>>;

  const gql = (token: string, q: string, variables: Record<string, unknown> = {}) =>
    app.gql({ query: q, variables, token });
  const ok = async <T>(token: string, q: string, variables: Record<string, unknown> = {}): Promise<T> =>
    app.gqlData<T>({ query: q, variables, token });

  const createUser = async (n: string, roles: string[]) => {
    const email = `matrix.${n}@police.test`;
    const { createUser: user } = await ok<{ createUser: { id: string } }>(
      demo['ada.admin'].accessToken,
      `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { email, displayName: `Matrix ${n}`, roles, password: PASSWORD } },
    );
    return { id: user.id, email };
  };

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: demo } = await demoWorld(app));
    const sam = demo['sam.social'].accessToken;

    // Everyone starts as a practitioner (a manager as a manager) so that memberships and grants
    // can be arranged over the API; the roles that never see case content are given afterwards.
    const subjects = await Promise.all(
      ROLES.map((role) => createUser(role.toLowerCase(), [role === 'MANAGER' ? 'MANAGER' : 'PRACTITIONER'])),
    );
    const adds = await Promise.all(ROLES.map((role) => createUser(`add.${role.toLowerCase()}`, ['PRACTITIONER'])));
    const removes = await Promise.all(
      ROLES.map((role) => createUser(`remove.${role.toLowerCase()}`, ['PRACTITIONER'])),
    );
    ROLES.forEach((role, i) => {
      toAdd[role] = adds[i]!.id;
      toRemove[role] = removes[i]!.id;
    });

    for (const relationship of RELATIONSHIPS) {
      const { createFamily } = await ok<{ createFamily: { id: string } }>(
        sam,
        `mutation ($r: String!) { createFamily(input: { reference: $r }) { id } }`,
        { r: `MX-${relationship}` },
      );
      const familyId = createFamily.id;
      family[relationship] = familyId;
      const add = (userId: string, expiresAt?: string) =>
        ok(
          sam,
          `mutation ($f: ID!, $u: ID!, $e: DateTime) { addNetworkMember(familyId: $f, userId: $u, expiresAt: $e) { role } }`,
          {
            f: familyId,
            u: userId,
            e: expiresAt ?? null,
          },
        );
      await add(demo['pat.police'].userId);
      await add(demo['dee.school'].userId);
      for (const role of ROLES) await add(toRemove[role]);
      if (relationship === 'member' || relationship === 'removed') for (const s of subjects) await add(s.id);
      if (relationship === 'expired')
        for (const s of subjects) await add(s.id, new Date(Date.now() + 3_600_000).toISOString());
      if (relationship === 'removed')
        for (const s of subjects)
          await ok(sam, `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`, {
            f: familyId,
            u: s.id,
          });
      if (relationship === 'expired')
        await query(
          app,
          `UPDATE network_members SET expires_at = now() - interval '1 second' WHERE family_id = $1 AND user_id = ANY($2)`,
          [familyId, subjects.map((s) => s.id)],
        );
      if (relationship === 'granted')
        for (const s of subjects) {
          const session = await openSession(app, s.email);
          await ok(
            session.accessToken,
            `mutation ($f: ID!) { requestBreakGlass(familyId: $f, reason: "Urgent: matrix") { id } }`,
            {
              f: familyId,
            },
          );
        }

      // Events from another agency (Riverside Primary) in each visibility, and one from Police.
      const post = async (token: string, extra: Record<string, unknown>) =>
        (
          await ok<{ postEvent: { id: string } }>(token, POST, {
            input: {
              familyId,
              kind: 'NOTE',
              severity: 'LOW',
              occurredAt: new Date().toISOString(),
              summary: `Matrix event ${relationship}`,
              ...extra,
            },
          })
        ).postEvent.id;
      const dee = demo['dee.school'].accessToken;
      events[relationship] = {
        NETWORK: await post(dee, { visibility: 'NETWORK' }),
        'AGENCY (other agency)': await post(dee, { visibility: 'AGENCY' }),
        'RESTRICTED (someone else)': await post(dee, {
          visibility: 'RESTRICTED',
          audienceUserIds: [demo['sam.social'].userId],
        }),
        'RESTRICTED (me)': await post(dee, { visibility: 'RESTRICTED', audienceUserIds: subjects.map((s) => s.id) }),
        'own agency': await post(demo['pat.police'].accessToken, { visibility: 'NETWORK' }),
      };
    }

    // Now the roles under test; a partnership admin gives the partnership's roles.
    for (const [i, role] of ROLES.entries()) {
      if (role !== 'PRACTITIONER' && role !== 'MANAGER')
        await ok(
          demo['pam.partner'].accessToken,
          `mutation ($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id } }`,
          { u: subjects[i]!.id, r: [role] },
        );
    }
    await Promise.all(
      ROLES.map(async (role, i) => {
        subject[role] = await openSession(app, subjects[i]!.email);
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await app.close();
  });

  /** Runs one operation as the subject and reduces the answer to an outcome. */
  async function attempt(row: Row): Promise<string> {
    const token = subject[row.role].accessToken;
    const familyId = family[row.relationship];
    const eventId = row.visibility ? events[row.relationship][row.visibility] : events[row.relationship]['own agency'];
    const outcome = (res: GraphQLResponse<unknown>) => errorCode(res) ?? 'OK';
    switch (row.operation) {
      case 'read family':
        return outcome(
          await gql(token, `query ($id: ID!) { family(id: $id) { id members { role } people { id } } }`, {
            id: familyId,
          }),
        );
      case 'read timeline': {
        const res = await gql(token, TIMELINE, { familyId });
        if (res.errors) return outcome(res);
        const data = res.data as {
          timeline: {
            edges: { node: { id: string; redacted: boolean; summary: string | null; body: string | null } }[];
          };
        };
        const node = data.timeline.edges.find((e) => e.node.id === eventId)?.node;
        if (!node) return 'MISSING';
        if (node.redacted) return node.summary === null && node.body === null ? 'REDACTED' : 'REDACTED WITH CONTENT';
        return node.summary ? 'OK' : 'NO SUMMARY';
      }
      case 'post':
        return outcome(
          await gql(token, POST, {
            input: {
              familyId,
              kind: 'NOTE',
              severity: 'LOW',
              occurredAt: new Date().toISOString(),
              summary: 'Matrix post',
            },
          }),
        );
      case 'amend (own agency)':
        return outcome(
          await gql(
            token,
            `mutation ($e: ID!) { amendEvent(eventId: $e, input: { summary: "Corrected", reason: "Matrix" }) { id } }`,
            {
              e: eventId,
            },
          ),
        );
      case 'reply':
        return outcome(
          await gql(token, `mutation ($e: ID!) { replyToEvent(eventId: $e, body: "Matrix reply") { id } }`, {
            e: eventId,
          }),
        );
      case 'acknowledge':
        return outcome(await gql(token, `mutation ($e: ID!) { acknowledgeEvent(eventId: $e) { id } }`, { e: eventId }));
      case 'add member':
        return outcome(
          await gql(token, `mutation ($f: ID!, $u: ID!) { addNetworkMember(familyId: $f, userId: $u) { role } }`, {
            f: familyId,
            u: toAdd[row.role],
          }),
        );
      case 'remove member':
        return outcome(
          await gql(token, `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`, {
            f: familyId,
            u: toRemove[row.role],
          }),
        );
      case 'searchPeople':
        return outcome(await gql(token, `{ searchPeople(name: "amira hassan") { familyId lead { displayName } } }`));
    }
  }

  it('covers every role, relationship, visibility and operation', () => {
    expect(ROWS).toHaveLength(
      ROLES.length * RELATIONSHIPS.length * (FAMILY_OPS.length + EVENT_OPS.length * VISIBILITIES.length),
    );
    expect(new Set(ROWS.map((r) => r.outcome))).toEqual(new Set(['OK', 'NOT_FOUND', 'FORBIDDEN', 'REDACTED']));
  });

  it.each(ROWS)('$role, $relationship, $operation, $visibility → $outcome', async (row) => {
    expect(await attempt(row)).toBe(row.outcome);
  });
});
