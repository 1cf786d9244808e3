import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCode } from '@hearth/testing';
import { login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ENTRIES = `query ($filter: AuditFilter, $first: Int, $after: String) {
  auditEntries(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id at actorId agencyId actorRoles action subjectType subjectId outcome reason detail requestId } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;

interface Entry {
  id: string;
  at: string;
  actorId: string | null;
  agencyId: string | null;
  actorRoles: string[];
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  outcome: string;
  reason: string | null;
  detail: string | null;
  requestId: string | null;
}

/** The demo partnership's auditor and others, over real HTTP with real sessions. */
describe('auditors and the demo partnership', () => {
  let app: TestApp;
  let auditor: Session;
  let sam: Session;
  let pam: Session;

  beforeAll(async () => {
    app = await startTestApp();
    sam = await login(app.url, 'sam.social');
    auditor = await login(app.url, 'aud.auditor');
    pam = await login(app.url, 'pam.partner');
    // A wrong password for a real account, and an email that has no account.
    for (const email of ['pat.police@demo.hearth', 'nobody@demo.hearth']) {
      const res = await app.gql({ query: LOGIN, variables: { email, password: 'not-the-password' } });
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
  });
  afterAll(async () => {
    await app.close();
  });

  async function entries(filter: Record<string, unknown>, first = 100, token = auditor.accessToken): Promise<Entry[]> {
    const all: Entry[] = [];
    let after: string | null = null;
    for (;;) {
      const data: {
        auditEntries: { edges: { node: Entry }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      } = await app.gqlData({ query: ENTRIES, variables: { filter, first, after }, token });
      all.push(...data.auditEntries.edges.map((e) => e.node));
      if (!data.auditEntries.pageInfo.hasNextPage) return all;
      after = data.auditEntries.pageInfo.endCursor;
    }
  }

  it('shows aud.auditor the logins with actor and agency, and the failed ones with a keyed hash of what was typed', async () => {
    const logins = await entries({ action: 'LOGIN' });
    expect(logins).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actorId: sam.userId,
          agencyId: sam.agencyId,
          actorRoles: ['PRACTITIONER'],
          outcome: 'ALLOWED',
          subjectType: 'Session',
        }),
        expect.objectContaining({ actorId: auditor.userId, agencyId: auditor.agencyId, actorRoles: ['AUDITOR'] }),
      ]),
    );
    const failed = await entries({ action: 'LOGIN_FAILED' });
    expect(failed.map((e): unknown[] => [e.outcome, e.actorId, JSON.parse(e.detail ?? '{}'), e.reason])).toEqual(
      expect.arrayContaining([
        ['DENIED', null, { identifierHash: expect.stringMatching(/^[0-9a-f]{64}$/) }, 'wrong password'],
        ['DENIED', null, { identifierHash: expect.stringMatching(/^[0-9a-f]{64}$/) }, 'no account has this email'],
      ]),
    );
    expect(JSON.stringify(failed)).not.toContain('not-the-password');
    expect(JSON.stringify(failed)).not.toContain('nobody@demo.hearth');
    // Newest first.
    expect([...logins].sort((a, b) => b.at.localeCompare(a.at))).toEqual(logins);
  });

  it('refuses sam.social with FORBIDDEN, and records the refusal with who asked', async () => {
    const requestId = `sam-asks-${randomUUID()}`;
    const res = await app.gql({ query: ENTRIES, token: sam.accessToken, headers: { 'x-request-id': requestId } });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data).toBeNull();
    const csv = await fetch(`${app.url}/audit/export.csv`, { headers: { authorization: `Bearer ${sam.accessToken}` } });
    expect(csv.status).toBe(403);

    const denied = await entries({ actorId: sam.userId, outcome: 'DENIED' });
    expect(denied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'DENIED',
          subjectType: 'Operation',
          subjectId: 'Query.auditEntries',
          reason: 'requires one of AUDITOR',
          agencyId: sam.agencyId,
          requestId,
        }),
        expect.objectContaining({ action: 'DENIED', subjectId: 'GET /audit/export.csv' }),
      ]),
    );
  });

  it('records the auditor’s own queries', async () => {
    await entries({ action: 'LOGOUT' });
    const own = await entries({ actorId: auditor.userId, action: 'READ' }, 5);
    expect(own[0]).toMatchObject({ subjectType: 'AuditEntry', actorRoles: ['AUDITOR'] });
  });

  it('records identity’s changes: account created, roles changed, disabled, agency created, logout', async () => {
    const created = await app.gqlData<{ createUser: { id: string } }>({
      query: `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      variables: {
        input: {
          email: `new.${randomUUID().slice(0, 8)}@demo.hearth`,
          displayName: 'New Auditor',
          roles: ['PRACTITIONER'],
          password: 'a long enough password',
        },
      },
      token: pam.accessToken,
    });
    const userId = created.createUser.id;
    await app.gqlData({
      query: `mutation ($userId: ID!, $roles: [Role!]!) { setUserRoles(userId: $userId, roles: $roles) { id } }`,
      variables: { userId, roles: ['AUDITOR'] },
      token: pam.accessToken,
    });
    await app.gqlData({
      query: `mutation ($userId: ID!) { disableUser(userId: $userId) { id } }`,
      variables: { userId },
      token: pam.accessToken,
    });
    const agency = await app.gqlData<{ createAgency: { id: string } }>({
      query: `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`,
      variables: { input: { name: `Audit Test Housing ${randomUUID().slice(0, 6)}`, kind: 'HOUSING' } },
      token: pam.accessToken,
    });
    const leaving = await login(app.url, 'hal.health');
    await app.gqlData({ query: 'mutation { logout }', token: leaving.accessToken });

    const byPam = await entries({ actorId: pam.userId, outcome: 'ALLOWED' });
    const about = (subjectId: string) => byPam.filter((e) => e.subjectId === subjectId).map((e) => e.action);
    expect(about(userId).sort()).toEqual(['CREATE', 'DISABLE', 'ROLE_CHANGE']);
    const roleChange = byPam.find((e) => e.action === 'ROLE_CHANGE' && e.subjectId === userId);
    expect(JSON.parse(roleChange!.detail!)).toMatchObject({ before: ['PRACTITIONER'], after: ['AUDITOR'] });
    expect(about(agency.createAgency.id)).toEqual(['CREATE']);
    expect(await entries({ actorId: leaving.userId, action: 'LOGOUT' })).toHaveLength(1);
  });

  it('exports over HTTP exactly what the query returns, and records the export', async () => {
    const filter = { action: 'LOGIN' };
    const queried = await entries(filter, 2);
    const res = await fetch(`${app.url}/audit/export.csv?action=LOGIN`, {
      headers: { authorization: `Bearer ${auditor.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const lines = (await res.text()).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^id,at,actor_id,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(queried.map((e) => e.id));

    const exports = await entries({ actorId: auditor.userId, action: 'EXPORT' });
    expect(exports).toHaveLength(1);
    expect(JSON.parse(exports[0]!.detail!)).toEqual({ filter: { action: 'LOGIN' }, format: 'csv' });
  });

  it('answers a bad export filter with 400 BAD_USER_INPUT', async () => {
    const res = await fetch(`${app.url}/audit/export.csv?from=yesterday`, {
      headers: { authorization: `Bearer ${auditor.accessToken}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^from: /) });
  });

  it('lets the auditor verify the chain', async () => {
    const data = await app.gqlData<{
      auditIntegrity: { verified: boolean; entries: number; unsealed: number; firstBrokenEntryId: string | null };
    }>({ query: '{ auditIntegrity { verified entries unsealed firstBrokenEntryId } }', token: auditor.accessToken });
    expect(data.auditIntegrity).toMatchObject({ verified: true, firstBrokenEntryId: null });
    expect(data.auditIntegrity.entries + data.auditIntegrity.unsealed).toBeGreaterThan(10);
  });
});
