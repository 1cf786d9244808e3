import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { connectSocket, errorCode } from '@hearth/testing';
import { login, openSessions, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ME = `{ me { id email displayName roles status agency { name kind } } }`;
const USERS = `query ($agencyId: ID) { users(agencyId: $agencyId, first: 100) { edges { node { id email roles agency { name } } } pageInfo { hasNextPage } } }`;
const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id email roles agency { name } } }`;
const SET_ROLES = `mutation ($userId: ID!, $roles: [Role!]!) { setUserRoles(userId: $userId, roles: $roles) { id roles } }`;
const DISABLE = `mutation ($userId: ID!) { disableUser(userId: $userId) { id status } }`;
const REFRESH = `mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;

describe('identity and administration', () => {
  let app: TestApp;
  let ada: Session;
  let pam: Session;
  const userIds = new Map<string, string>();

  beforeAll(async () => {
    app = await startTestApp();
    ada = await login(app.url, 'ada.admin');
    pam = await login(app.url, 'pam.partner');
    const all = await app.gqlData<{ users: { edges: { node: { id: string; email: string } }[] } }>({
      query: USERS,
      token: pam.accessToken,
    });
    for (const { node } of all.users.edges) userIds.set(node.email.split('@')[0]!, node.id);
  });
  afterAll(async () => {
    await app.close();
  });

  describe('logging in', () => {
    it.each([
      ['sam.social', "Northshire Children's Services", ['PRACTITIONER']],
      ['mia.manager', "Northshire Children's Services", ['MANAGER']],
      ['pat.police', 'Northshire Police', ['PRACTITIONER']],
      ['dee.school', 'Riverside Primary School', ['PRACTITIONER']],
      ['hal.health', 'Northshire Health Trust', ['PRACTITIONER']],
      ['ada.admin', 'Northshire Police', ['AGENCY_ADMIN']],
      ['aud.auditor', 'Northshire Safeguarding Partnership', ['AUDITOR']],
      ['pam.partner', 'Northshire Safeguarding Partnership', ['PARTNERSHIP_ADMIN']],
    ])('%s logs in and `me` tells who they are', async (who, agency, roles) => {
      const session = await login(app.url, who);
      const { me } = await app.gqlData<{
        me: { email: string; roles: string[]; status: string; agency: { name: string } };
      }>({
        query: ME,
        token: session.accessToken,
      });
      expect(me).toMatchObject({ email: `${who}@demo.hearth`, roles, status: 'ACTIVE', agency: { name: agency } });
    });

    it('says the same for an unknown email and a wrong password', async () => {
      const wrong = await app.gql({
        query: LOGIN,
        variables: { email: 'hal.health@demo.hearth', password: 'not-her-password' },
      });
      const unknown = await app.gql({
        query: LOGIN,
        variables: { email: 'nobody@demo.hearth', password: 'not-her-password' },
      });
      expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
      expect(unknown.status).toBe(wrong.status);
      expect(unknown.errors).toEqual(wrong.errors);
      expect(unknown.data).toEqual(wrong.data);
    });

    it('refuses an email with a NUL byte or other control character as bad input, not an internal error', async () => {
      for (const email of ['\u0000', 'sam.social@demo.hearth\u0000', 'sam\u0007@demo.hearth']) {
        const res = await app.gql({ query: LOGIN, variables: { email, password: 'hearth-demo' } });
        expect({ email, code: errorCode(res) }).toEqual({ email, code: 'BAD_USER_INPUT' });
      }
      // Positive control: the same account without the control character signs in.
      const ok = await app.gql({
        query: LOGIN,
        variables: { email: 'sam.social@demo.hearth', password: 'hearth-demo' },
      });
      expect(ok.errors).toBeUndefined();
    });

    it('locks an account after repeated failures, even for the right password', async () => {
      const email = 'mia.manager@demo.hearth';
      for (let i = 0; i < 5; i++) {
        expect(errorCode(await app.gql({ query: LOGIN, variables: { email, password: `guess-${i}` } }))).toBe(
          'UNAUTHENTICATED',
        );
      }
      const locked = await app.gql({ query: LOGIN, variables: { email, password: 'hearth-demo' } });
      expect(errorCode(locked)).toBe('RATE_LIMITED');
      // An unknown email is throttled the same way, so the lock tells nothing about existence.
      for (let i = 0; i < 5; i++)
        await app.gql({ query: LOGIN, variables: { email: 'ghost@demo.hearth', password: `guess-${i}` } });
      expect(errorCode(await app.gql({ query: LOGIN, variables: { email: 'ghost@demo.hearth', password: 'x' } }))).toBe(
        'RATE_LIMITED',
      );
    });

    it('refuses anonymous calls to what needs a user', async () => {
      expect(errorCode(await app.gql({ query: ME }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await app.gql({ query: ME, token: 'not.a.token' }))).toBe('UNAUTHENTICATED');
    });
  });

  describe('tokens', () => {
    it('refuses alg:none, a foreign key, algorithm confusion and an expired token', async () => {
      const sam = await login(app.url, 'sam.social');
      const [, payload] = sam.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const unsigned = new UnsecuredJWT(claims).encode();
      const foreign = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA' })
        .sign(generateKeyPairSync('ed25519').privateKey);
      const publicPem = createPublicKey(createPrivateKey(app.config.auth.keys.privateKeyPem)).export({
        type: 'spki',
        format: 'pem',
      });
      const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(Buffer.from(publicPem));
      const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 })
        .setProtectedHeader({ alg: 'EdDSA' })
        .sign(createPrivateKey(app.config.auth.keys.privateKeyPem));
      for (const token of [unsigned, foreign, confused, expired]) {
        expect(errorCode(await app.gql({ query: ME, token }))).toBe('UNAUTHENTICATED');
      }
      expect(errorCode(await app.gql({ query: ME, token: sam.accessToken }))).toBeUndefined();
    });

    it('rotates refresh tokens, and a reused one ends the whole session', async () => {
      const first = await login(app.url, 'pat.police');
      const rotated = await app.gqlData<{ refreshSession: { accessToken: string; refreshToken: string } }>({
        query: REFRESH,
        variables: { t: first.refreshToken },
      });
      const second = rotated.refreshSession;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(errorCode(await app.gql({ query: ME, token: second.accessToken }))).toBeUndefined();

      const reused = await app.gql({ query: REFRESH, variables: { t: first.refreshToken } });
      expect(errorCode(reused)).toBe('UNAUTHENTICATED');
      // The family is dead: the newest refresh token and the access tokens stop working too.
      expect(errorCode(await app.gql({ query: REFRESH, variables: { t: second.refreshToken } }))).toBe(
        'UNAUTHENTICATED',
      );
      expect(errorCode(await app.gql({ query: ME, token: second.accessToken }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await app.gql({ query: ME, token: first.accessToken }))).toBe('UNAUTHENTICATED');
    });

    it('logout ends the session at once', async () => {
      const session = await login(app.url, 'dee.school');
      await app.gqlData({ query: 'mutation { logout }', token: session.accessToken });
      expect(errorCode(await app.gql({ query: ME, token: session.accessToken }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await app.gql({ query: REFRESH, variables: { t: session.refreshToken } }))).toBe(
        'UNAUTHENTICATED',
      );
    });

    it('gives the sessions tests open without a password what a sign-in gives: requests, socket, refresh, logout', async () => {
      const [opened] = await openSessions(app, ['hal.health']);
      const signedIn = await login(app.url, 'hal.health');
      expect(opened).toEqual({ ...signedIn, accessToken: expect.any(String), refreshToken: expect.any(String) });
      const me = (token: string) => app.gqlData({ query: ME, token });
      expect(await me(opened!.accessToken)).toEqual(await me(signedIn.accessToken));
      (await connectSocket(app.url, opened!.accessToken)).close();

      const { refreshSession: rotated } = await app.gqlData<{
        refreshSession: { accessToken: string; refreshToken: string };
      }>({ query: REFRESH, variables: { t: opened!.refreshToken } });
      expect(errorCode(await app.gql({ query: ME, token: rotated.accessToken }))).toBeUndefined();
      await app.gqlData({ query: 'mutation { logout }', token: rotated.accessToken });
      expect(errorCode(await app.gql({ query: ME, token: opened!.accessToken }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await app.gql({ query: REFRESH, variables: { t: rotated.refreshToken } }))).toBe(
        'UNAUTHENTICATED',
      );
      // The password's session is another one: it lives on.
      expect(errorCode(await app.gql({ query: ME, token: signedIn.accessToken }))).toBeUndefined();
    });
  });

  describe('administration', () => {
    const newUser = (email: string, roles: string[], extra: Record<string, unknown> = {}) => ({
      email,
      displayName: 'Jo Bloggs',
      jobTitle: 'Police Constable',
      roles,
      password: 'a-long-initial-password',
      ...extra,
    });

    it('an agency admin creates an account in their agency that can then log in', async () => {
      const created = await app.gqlData<{ createUser: { id: string; agency: { name: string }; roles: string[] } }>({
        query: CREATE_USER,
        variables: { input: newUser('Jo.Bloggs@Demo.Hearth', ['PRACTITIONER']) },
        token: ada.accessToken,
      });
      expect(created.createUser).toMatchObject({ agency: { name: 'Northshire Police' }, roles: ['PRACTITIONER'] });
      const jo = await login(app.url, 'jo.bloggs@demo.hearth', 'a-long-initial-password');
      expect(jo.userId).toBe(created.createUser.id);
    });

    it('an agency admin cannot see or touch another agency’s accounts', async () => {
      const sam = userIds.get('sam.social')!;
      expect(
        errorCode(
          await app.gql({ query: SET_ROLES, variables: { userId: sam, roles: ['MANAGER'] }, token: ada.accessToken }),
        ),
      ).toBe('NOT_FOUND');
      expect(errorCode(await app.gql({ query: DISABLE, variables: { userId: sam }, token: ada.accessToken }))).toBe(
        'NOT_FOUND',
      );
      // Same answer as for an account that does not exist.
      const missing = await app.gql({
        query: DISABLE,
        variables: { userId: '00000000-0000-4000-8000-000000000000' },
        token: ada.accessToken,
      });
      const foreign = await app.gql({ query: DISABLE, variables: { userId: sam }, token: ada.accessToken });
      expect(foreign.errors?.[0]?.message).toBe(missing.errors?.[0]?.message);
      const listed = await app.gqlData<{ users: { edges: { node: { agency: { name: string } } }[] } }>({
        query: USERS,
        token: ada.accessToken,
      });
      expect(new Set(listed.users.edges.map((e) => e.node.agency.name))).toEqual(new Set(['Northshire Police']));
      const creating = await app.gql({
        query: CREATE_USER,
        variables: {
          input: newUser('elsewhere@demo.hearth', ['PRACTITIONER'], {
            agencyId: (await login(app.url, 'sam.social')).agencyId,
          }),
        },
        token: ada.accessToken,
      });
      expect(errorCode(creating)).toBe('FORBIDDEN');
    });

    it('only a partnership admin gives AUDITOR or PARTNERSHIP_ADMIN', async () => {
      const pat = userIds.get('pat.police')!;
      for (const role of ['AUDITOR', 'PARTNERSHIP_ADMIN']) {
        expect(
          errorCode(
            await app.gql({
              query: SET_ROLES,
              variables: { userId: pat, roles: ['PRACTITIONER', role] },
              token: ada.accessToken,
            }),
          ),
        ).toBe('FORBIDDEN');
        expect(
          errorCode(
            await app.gql({
              query: CREATE_USER,
              variables: { input: newUser(`x-${role}@demo.hearth`, [role]) },
              token: ada.accessToken,
            }),
          ),
        ).toBe('FORBIDDEN');
        expect(
          errorCode(
            await app.gql({
              query: SET_ROLES,
              variables: { userId: ada.userId, roles: ['AGENCY_ADMIN', role] },
              token: ada.accessToken,
            }),
          ),
        ).toBe('FORBIDDEN');
      }
      const given = await app.gqlData<{ setUserRoles: { roles: string[] } }>({
        query: SET_ROLES,
        variables: { userId: pat, roles: ['PRACTITIONER', 'AUDITOR'] },
        token: pam.accessToken,
      });
      expect(given.setUserRoles.roles).toEqual(['PRACTITIONER', 'AUDITOR']);
      // An agency admin may change pat's other roles but must leave AUDITOR where it is.
      expect(
        errorCode(
          await app.gql({ query: SET_ROLES, variables: { userId: pat, roles: ['MANAGER'] }, token: ada.accessToken }),
        ),
      ).toBe('FORBIDDEN');
      const kept = await app.gqlData<{ setUserRoles: { roles: string[] } }>({
        query: SET_ROLES,
        variables: { userId: pat, roles: ['MANAGER', 'AUDITOR'] },
        token: ada.accessToken,
      });
      expect(kept.setUserRoles.roles).toEqual(['MANAGER', 'AUDITOR']);
      await app.gqlData({
        query: SET_ROLES,
        variables: { userId: pat, roles: ['PRACTITIONER'] },
        token: pam.accessToken,
      });
    });

    it('role changes apply to the next request', async () => {
      const created = await app.gqlData<{ createUser: { id: string } }>({
        query: CREATE_USER,
        variables: { input: newUser('second.admin@demo.hearth', ['AGENCY_ADMIN']) },
        token: ada.accessToken,
      });
      const second = await login(app.url, 'second.admin@demo.hearth', 'a-long-initial-password');
      expect(errorCode(await app.gql({ query: USERS, token: second.accessToken }))).toBeUndefined();
      await app.gqlData({
        query: SET_ROLES,
        variables: { userId: created.createUser.id, roles: ['PRACTITIONER'] },
        token: ada.accessToken,
      });
      expect(errorCode(await app.gql({ query: USERS, token: second.accessToken }))).toBe('FORBIDDEN');
    });

    it('nobody changes their own roles or status, and no change leaves an agency without an admin', async () => {
      expect(
        errorCode(await app.gql({ query: DISABLE, variables: { userId: ada.userId }, token: ada.accessToken })),
      ).toBe('FORBIDDEN');
      const demote = await app.gql({
        query: SET_ROLES,
        variables: { userId: ada.userId, roles: ['PRACTITIONER'] },
        token: ada.accessToken,
      });
      expect(errorCode(demote)).toBe('FORBIDDEN');
      expect(
        errorCode(
          await app.gql({
            query: SET_ROLES,
            variables: { userId: pam.userId, roles: ['AUDITOR'] },
            token: pam.accessToken,
          }),
        ),
      ).toBe('FORBIDDEN');
      // Someone else may try, but ada is the police's only agency admin.
      const leaving = await app.gql({
        query: SET_ROLES,
        variables: { userId: ada.userId, roles: ['PRACTITIONER'] },
        token: pam.accessToken,
      });
      expect(errorCode(leaving)).toBe('CONFLICT');
      expect(
        errorCode(await app.gql({ query: DISABLE, variables: { userId: ada.userId }, token: pam.accessToken })),
      ).toBe('CONFLICT');
      const { me } = await app.gqlData<{ me: { roles: string[]; status: string } }>({
        query: ME,
        token: ada.accessToken,
      });
      expect(me).toMatchObject({ roles: ['AGENCY_ADMIN'], status: 'ACTIVE' });
    });

    it('disabling an account refuses its live access token on the next request', async () => {
      await app.gqlData({
        query: CREATE_USER,
        variables: { input: newUser('leaver@demo.hearth', ['PRACTITIONER']) },
        token: ada.accessToken,
      });
      const leaver = await login(app.url, 'leaver@demo.hearth', 'a-long-initial-password');
      expect(errorCode(await app.gql({ query: ME, token: leaver.accessToken }))).toBeUndefined();
      const disabled = await app.gqlData<{ disableUser: { status: string } }>({
        query: DISABLE,
        variables: { userId: leaver.userId },
        token: ada.accessToken,
      });
      expect(disabled.disableUser.status).toBe('DISABLED');
      expect(errorCode(await app.gql({ query: ME, token: leaver.accessToken }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await app.gql({ query: REFRESH, variables: { t: leaver.refreshToken } }))).toBe(
        'UNAUTHENTICATED',
      );
      expect(
        errorCode(
          await app.gql({
            query: LOGIN,
            variables: { email: 'leaver@demo.hearth', password: 'a-long-initial-password' },
          }),
        ),
      ).toBe('UNAUTHENTICATED');
    });

    it('a partnership admin creates agencies; nobody else can', async () => {
      const input = { name: 'Northshire Housing', kind: 'HOUSING' };
      expect(
        errorCode(
          await app.gql({
            query: `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`,
            variables: { input },
            token: ada.accessToken,
          }),
        ),
      ).toBe('FORBIDDEN');
      const created = await app.gqlData<{ createAgency: { name: string; kind: string } }>({
        query: `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { name kind } }`,
        variables: { input },
        token: pam.accessToken,
      });
      expect(created.createAgency).toEqual(input);
      const again = await app.gql({
        query: `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`,
        variables: { input: { ...input, name: 'northshire housing' } },
        token: pam.accessToken,
      });
      expect(errorCode(again)).toBe('CONFLICT');
      const sam = await login(app.url, 'sam.social');
      const { agencies } = await app.gqlData<{ agencies: { name: string }[] }>({
        query: '{ agencies { name } }',
        token: sam.accessToken,
      });
      expect(agencies.map((a) => a.name)).toContain('Northshire Housing');
    });

    it('names the field at fault and writes nothing for bad input', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [newUser('short@demo.hearth', ['PRACTITIONER'], { password: 'too-short' }), 'password'],
        [newUser('not-an-email', ['PRACTITIONER']), 'email'],
        [newUser('ctl@demo.hearth', ['PRACTITIONER'], { displayName: 'Jo\u0007Bloggs' }), 'displayName'],
        [newUser('none@demo.hearth', []), 'roles'],
        [newUser('long@demo.hearth', ['PRACTITIONER'], { displayName: 'x'.repeat(201) }), 'displayName'],
        [newUser('mgr@demo.hearth', ['PRACTITIONER'], { managerId: userIds.get('sam.social') }), 'managerId'],
      ];
      for (const [input, field] of cases) {
        const res = await app.gql({ query: CREATE_USER, variables: { input }, token: ada.accessToken });
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(res.errors?.[0]?.extensions?.field).toBe(field);
      }
      const unknownField = await app.gql({
        query: CREATE_USER,
        variables: { input: { ...newUser('extra@demo.hearth', ['PRACTITIONER']), status: 'ACTIVE' } },
        token: ada.accessToken,
      });
      expect(errorCode(unknownField)).toBe('BAD_USER_INPUT');
      const duplicate = await app.gql({
        query: CREATE_USER,
        variables: { input: newUser('pat.police@demo.hearth', ['PRACTITIONER']) },
        token: ada.accessToken,
      });
      expect(errorCode(duplicate)).toBe('CONFLICT');
      const { users } = await app.gqlData<{ users: { edges: { node: { email: string } }[] } }>({
        query: USERS,
        token: pam.accessToken,
      });
      const emails = users.edges.map((e) => e.node.email);
      for (const email of [
        'short@demo.hearth',
        'ctl@demo.hearth',
        'none@demo.hearth',
        'extra@demo.hearth',
        'mgr@demo.hearth',
      ]) {
        expect(emails).not.toContain(email);
      }
    });

    it('pages through users with keyset cursors', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: {
          users: { edges: { node: { email: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        } = await app.gqlData({
          query: `query ($after: String) { users(first: 3, after: $after) { edges { node { email } } pageInfo { hasNextPage endCursor } } }`,
          variables: { after },
          token: pam.accessToken,
        });
        seen.push(...page.users.edges.map((e) => e.node.email));
        if (!page.users.pageInfo.hasNextPage) break;
        after = page.users.pageInfo.endCursor;
      }
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toContain('sam.social@demo.hearth');
      const bad = await app.gql({
        query: `{ users(first: 3, after: "garbage") { edges { cursor } } }`,
        token: pam.accessToken,
      });
      expect(errorCode(bad)).toBe('BAD_USER_INPUT');
      expect(
        errorCode(await app.gql({ query: `{ users(first: 1000) { edges { cursor } } }`, token: pam.accessToken })),
      ).toBe('BAD_USER_INPUT');
    });
  });
});
