import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { errorCode } from '@hearth/testing';
import { query } from './support/demo.js';
import { login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sized for a loaded 2-core machine: every test signs in (argon2id) several times.
jest.setTimeout(120_000);

const SET_ROLES = `mutation ($userId: ID!, $roles: [Role!]!) { setUserRoles(userId: $userId, roles: $roles) { id roles } }`;
const DISABLE = `mutation ($userId: ID!) { disableUser(userId: $userId) { id status } }`;
const BREAK_GLASS = `mutation ($f: ID!) { requestBreakGlass(familyId: $f, reason: "Custody record shows an urgent welfare concern tonight") { id } }`;
const TIMELINE = `query ($f: ID!) { timeline(familyId: $f, first: 5) { edges { node { id } } } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const ENTRIES = `query ($filter: AuditFilter) {
  auditEntries(filter: $filter, first: 100) {
    edges { node { action outcome actorId subjectType subjectId reason detail } }
  }
}`;

interface Entry {
  action: string;
  outcome: string;
  actorId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  detail: string | null;
}

describe('separation of duties and what the audit trail keeps', () => {
  let app: TestApp;
  let ada: Session;
  let pam: Session;
  let auditor: Session;
  let familyId: string;

  beforeAll(async () => {
    app = await startTestApp();
    [ada, pam, auditor] = await Promise.all([
      login(app.url, 'ada.admin'),
      login(app.url, 'pam.partner'),
      login(app.url, 'aud.auditor'),
    ]);
    const { rows } = await query<{ id: string }>(app, `SELECT id FROM families WHERE reference = 'NS-2026-0142'`);
    familyId = rows[0]!.id;
  });
  afterAll(async () => {
    await app.close();
  });

  async function entries(filter: Record<string, unknown>): Promise<Entry[]> {
    const data = await app.gqlData<{ auditEntries: { edges: { node: Entry }[] } }>({
      query: ENTRIES,
      variables: { filter },
      token: auditor.accessToken,
    });
    return data.auditEntries.edges.map((e) => e.node);
  }

  it('an agency admin who gives herself PRACTITIONER is refused, audited, and still cannot reach a family', async () => {
    const self = await app.gql({
      query: SET_ROLES,
      variables: { userId: ada.userId, roles: ['AGENCY_ADMIN', 'PRACTITIONER'] },
      token: ada.accessToken,
    });
    expect(errorCode(self)).toBe('FORBIDDEN');
    expect(self.errors?.[0]?.message).toBe('Nobody can change their own roles; ask another administrator');
    const disable = await app.gql({ query: DISABLE, variables: { userId: ada.userId }, token: ada.accessToken });
    expect(errorCode(disable)).toBe('FORBIDDEN');

    // The refusal is in the trail, with what she asked for.
    const denied = await entries({ actorId: ada.userId, outcome: 'DENIED' });
    expect(denied.map((e): unknown[] => [e.action, e.subjectType, e.subjectId, JSON.parse(e.detail ?? '{}')])).toEqual(
      expect.arrayContaining([
        ['DENIED', 'User', ada.userId, { operation: 'setUserRoles', requestedRoles: ['AGENCY_ADMIN', 'PRACTITIONER'] }],
        ['DENIED', 'User', ada.userId, { operation: 'disableUser' }],
      ]),
    );
    // Nothing changed: she is still only an agency admin, so no break-glass and no timeline.
    expect(errorCode(await app.gql({ query: BREAK_GLASS, variables: { f: familyId }, token: ada.accessToken }))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await app.gql({ query: TIMELINE, variables: { f: familyId }, token: ada.accessToken }))).toBe(
      'NOT_FOUND',
    );
    expect(await entries({ actorId: ada.userId, action: 'ROLE_CHANGE' })).toEqual([]);
  });

  it('roles still combine when someone else gives them, audited with the roles before and after', async () => {
    const given = await app.gqlData<{ setUserRoles: { roles: string[] } }>({
      query: SET_ROLES,
      variables: { userId: ada.userId, roles: ['AGENCY_ADMIN', 'PRACTITIONER'] },
      token: pam.accessToken,
    });
    expect(given.setUserRoles.roles).toEqual(['AGENCY_ADMIN', 'PRACTITIONER']);
    const changes = await entries({ actorId: pam.userId, action: 'ROLE_CHANGE' });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ outcome: 'ALLOWED', subjectType: 'User', subjectId: ada.userId });
    expect(JSON.parse(changes[0]!.detail!)).toMatchObject({
      before: ['AGENCY_ADMIN'],
      after: ['AGENCY_ADMIN', 'PRACTITIONER'],
    });
    // The same break-glass request now succeeds: the refusal was about who, not what.
    const grant = await app.gql({ query: BREAK_GLASS, variables: { f: familyId }, token: ada.accessToken });
    expect(errorCode(grant)).toBeUndefined();
    expect(errorCode(await app.gql({ query: TIMELINE, variables: { f: familyId }, token: ada.accessToken }))).toBe(
      undefined,
    );
  });

  it('a failed login keeps a keyed hash of the identifier typed, never the text', async () => {
    const typed = 'Zebra.Quokka-7731@Lost-Domain.example';
    const tries = [typed, `  ${typed.toUpperCase()} `, 'someone.else-4410@lost-domain.example'];
    for (const email of tries) {
      const res = await app.gql({ query: LOGIN, variables: { email, password: 'Kettle-Lantern-Puzzle' } });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
    const failed = await entries({ action: 'LOGIN_FAILED' });
    const hashes = failed.map((e) => (JSON.parse(e.detail ?? '{}') as { identifierHash?: string }).identifierHash);
    // Positive control: the three attempts are there, the first two share a hash, the third does not.
    expect(hashes).toHaveLength(3);
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const [third, second, first] = hashes;
    expect(second).toBe(first);
    expect(third).not.toBe(first);

    const trail = JSON.stringify(failed).toLowerCase();
    const csv = await fetch(`${app.url}/audit/export.csv?action=LOGIN_FAILED`, {
      headers: { authorization: `Bearer ${auditor.accessToken}` },
    });
    expect(csv.status).toBe(200);
    const exported = (await csv.text()).toLowerCase();
    expect(exported).toContain(first!);
    const { rows } = await query<{ row: string }>(app, `SELECT e::text AS row FROM audit_entries e`);
    const stored = rows.map((r) => r.row.toLowerCase()).join('\n');
    for (const text of ['zebra', 'quokka', 'lost-domain', 'someone.else', 'kettle']) {
      expect(trail).not.toContain(text);
      expect(exported).not.toContain(text);
      expect(stored).not.toContain(text);
    }
  });
});
