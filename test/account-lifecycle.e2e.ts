import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { connectSocket, errorCode } from '@hearth/testing';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { query } from './support/demo.js';
import { login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sized for a loaded 2-core machine: every test signs in (argon2id) several times.
jest.setTimeout(120_000);

const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const DISABLE = `mutation ($userId: ID!) { disableUser(userId: $userId) { status } }`;
const ENABLE = `mutation ($userId: ID!) { enableUser(userId: $userId) { status } }`;
const RESET = `mutation ($userId: ID!) { resetUserPassword(userId: $userId) { token link expiresAt } }`;
const COMPLETE_RESET = `mutation ($token: String!, $p: String!) { completePasswordReset(token: $token, newPassword: $p) }`;
const CHANGE = `mutation ($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, newPassword: $n) }`;
const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id } challenge { token step expiresAt } }
}`;
const COMPLETE_LOGIN = `mutation ($t: String!, $p: String) {
  completeLogin(challengeToken: $t, newPassword: $p) { accessToken challenge { step } }
}`;
const CARD = `mutation ($input: UpdateContactCardInput!) { updateMyContactCard(input: $input) { jobTitle phone contactRoute } }`;
const ME = `{ me { id jobTitle phone contactRoute } }`;
const INITIAL = 'an-initial-password-from-ada';

interface LoginResult {
  accessToken: string | null;
  refreshToken: string | null;
  user: { id: string } | null;
  challenge: { token: string; step: string; expiresAt: string } | null;
}

describe('the account lifecycle', () => {
  let app: TestApp;
  let ada: Session;
  let pam: Session;
  let n = 0;

  beforeAll(async () => {
    app = await startTestApp();
    [ada, pam] = await Promise.all([login(app.url, 'ada.admin'), login(app.url, 'pam.partner')]);
  });
  afterAll(async () => {
    await app.close();
  });

  /** A fresh police officer created by ada, so each test owns its account. */
  async function officer(extra: Record<string, unknown> = {}): Promise<{ id: string; email: string }> {
    const email = `officer.${++n}@police.test`;
    const { createUser } = await app.gqlData<{ createUser: { id: string } }>({
      query: CREATE_USER,
      variables: {
        input: { email, displayName: `Officer ${n}`, roles: ['PRACTITIONER'], password: INITIAL, ...extra },
      },
      token: ada.accessToken,
    });
    return { id: createUser.id, email };
  }

  const signIn = async (email: string, password: string) =>
    app.gql<{ login: LoginResult }>({ query: LOGIN, variables: { email, password } });

  it('an admin re-enables a disabled account; nobody enables themselves', async () => {
    const jo = await officer();
    await app.gqlData({ query: DISABLE, variables: { userId: jo.id }, token: ada.accessToken });
    expect(errorCode(await signIn(jo.email, INITIAL))).toBe('UNAUTHENTICATED');
    const enabled = await app.gqlData<{ enableUser: { status: string } }>({
      query: ENABLE,
      variables: { userId: jo.id },
      token: ada.accessToken,
    });
    expect(enabled.enableUser.status).toBe('ACTIVE');
    expect((await signIn(jo.email, INITIAL)).data?.login.accessToken).toEqual(expect.any(String));
    expect(errorCode(await app.gql({ query: ENABLE, variables: { userId: ada.userId }, token: ada.accessToken }))).toBe(
      'FORBIDDEN',
    );
    // Another agency's account is not ada's to see.
    const sam = await login(app.url, 'sam.social');
    expect(errorCode(await app.gql({ query: ENABLE, variables: { userId: sam.userId }, token: ada.accessToken }))).toBe(
      'NOT_FOUND',
    );
  });

  it('changing one’s password needs the current one, refuses common ones, and ends the other sessions and sockets', async () => {
    const jo = await officer();
    const here = await login(app.url, jo.email, INITIAL);
    const elsewhere = await login(app.url, jo.email, INITIAL);
    const socket = await connectSocket(app.url, elsewhere.accessToken);
    const disconnected = new Promise<string>((resolve) => socket.socket.once('disconnect', resolve));
    try {
      const wrong = await app.gql({
        query: CHANGE,
        variables: { c: 'not-my-password-at-all', n: 'Heron lantern quietly 41' },
        token: here.accessToken,
      });
      expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
      expect(wrong.errors?.[0]?.extensions?.field).toBe('currentPassword');
      for (const common of ['password1234', 'Qwerty123456', 'short']) {
        const weak = await app.gql({ query: CHANGE, variables: { c: INITIAL, n: common }, token: here.accessToken });
        expect(errorCode(weak)).toBe('BAD_USER_INPUT');
        expect(weak.errors?.[0]?.extensions?.field).toBe('newPassword');
      }
      // Nothing changed yet: the other session still works.
      expect(errorCode(await app.gql({ query: ME, token: elsewhere.accessToken }))).toBeUndefined();

      const changed = await app.gqlData<{ changeMyPassword: boolean }>({
        query: CHANGE,
        variables: { c: INITIAL, n: 'Heron lantern quietly 41' },
        token: here.accessToken,
      });
      expect(changed.changeMyPassword).toBe(true);
      expect(await disconnected).toBe('io server disconnect');
      expect(errorCode(await app.gql({ query: ME, token: elsewhere.accessToken }))).toBe('UNAUTHENTICATED');
      expect(errorCode(await app.gql({ query: ME, token: here.accessToken }))).toBeUndefined();
      expect(errorCode(await signIn(jo.email, INITIAL))).toBe('UNAUTHENTICATED');
      expect((await signIn(jo.email, 'Heron lantern quietly 41')).data?.login.accessToken).toEqual(expect.any(String));
    } finally {
      socket.close();
    }
  });

  it('an admin reset gives a single-use, expiring token that ends the sessions and forces a new password', async () => {
    const jo = await officer();
    const before = await login(app.url, jo.email, INITIAL);
    const { resetUserPassword: reset } = await app.gqlData<{
      resetUserPassword: { token: string; link: string; expiresAt: string };
    }>({ query: RESET, variables: { userId: jo.id }, token: ada.accessToken });
    // The link opens the web client's reset page, the token in the fragment (never sent to a server).
    const publicUrl = app.hearth.app.get<HearthConfig>(HEARTH_CONFIG).publicUrl;
    expect(reset.link).toBe(`${publicUrl}/reset-password#token=${encodeURIComponent(reset.token)}`);
    expect(new URLSearchParams(new URL(reset.link).hash.slice(1)).get('token')).toBe(reset.token);
    const minutes = (Date.parse(reset.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(25);
    expect(minutes).toBeLessThanOrEqual(30);
    expect(errorCode(await app.gql({ query: ME, token: before.accessToken }))).toBe('UNAUTHENTICATED');
    // The token is not a password.
    expect(errorCode(await signIn(jo.email, reset.token))).toBe('UNAUTHENTICATED');

    // A weak choice is refused without spending the token.
    const weak = await app.gql({ query: COMPLETE_RESET, variables: { token: reset.token, p: 'iloveyou1234' } });
    expect(errorCode(weak)).toBe('BAD_USER_INPUT');
    expect(weak.errors?.[0]?.extensions?.field).toBe('newPassword');
    const done = await app.gqlData<{ completePasswordReset: boolean }>({
      query: COMPLETE_RESET,
      variables: { token: reset.token, p: 'Otter meadow crossing 77' },
    });
    expect(done.completePasswordReset).toBe(true);
    const again = await app.gql({
      query: COMPLETE_RESET,
      variables: { token: reset.token, p: 'Badger orchard lane 12' },
    });
    expect(errorCode(again)).toBe('UNAUTHENTICATED');
    const signedIn = await signIn(jo.email, 'Otter meadow crossing 77');
    expect(signedIn.data?.login).toMatchObject({ accessToken: expect.any(String), challenge: null });

    // An expired token is refused too (arranged in the database: nobody waits 30 minutes).
    const { resetUserPassword: late } = await app.gqlData<{ resetUserPassword: { token: string } }>({
      query: RESET,
      variables: { userId: jo.id },
      token: ada.accessToken,
    });
    await query(app, `UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [jo.id]);
    const expired = await app.gql({
      query: COMPLETE_RESET,
      variables: { token: late.token, p: 'Badger orchard lane 12' },
    });
    expect(errorCode(expired)).toBe('UNAUTHENTICATED');

    // Nobody resets their own password this way, and ada cannot reach another agency's account.
    expect(errorCode(await app.gql({ query: RESET, variables: { userId: ada.userId }, token: ada.accessToken }))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await app.gql({ query: RESET, variables: { userId: pam.userId }, token: ada.accessToken }))).toBe(
      'NOT_FOUND',
    );
  });

  it('after a reset the old password, if remembered, only leads to a forced change at sign-in', async () => {
    const jo = await officer();
    await app.gqlData({ query: RESET, variables: { userId: jo.id }, token: ada.accessToken });
    const first = await signIn(jo.email, INITIAL);
    expect(first.data?.login).toMatchObject({
      accessToken: null,
      refreshToken: null,
      user: null,
      challenge: { step: 'PASSWORD_CHANGE', token: expect.any(String) },
    });
    const challenge = first.data!.login.challenge!.token;
    // The challenge is no access token.
    expect(errorCode(await app.gql({ query: ME, token: challenge }))).toBe('UNAUTHENTICATED');
    const same = await app.gql({ query: COMPLETE_LOGIN, variables: { t: challenge, p: INITIAL } });
    expect(errorCode(same)).toBe('BAD_USER_INPUT');
    const missing = await app.gql({ query: COMPLETE_LOGIN, variables: { t: challenge } });
    expect(missing.errors?.[0]?.extensions?.field).toBe('newPassword');
    const done = await app.gqlData<{ completeLogin: { accessToken: string; challenge: null } }>({
      query: COMPLETE_LOGIN,
      variables: { t: challenge, p: 'Kestrel harbour morning 3' },
    });
    expect(errorCode(await app.gql({ query: ME, token: done.completeLogin.accessToken }))).toBeUndefined();
    // The challenge was good for one change only.
    expect(
      errorCode(await app.gql({ query: COMPLETE_LOGIN, variables: { t: challenge, p: 'Another phrase here 9' } })),
    ).toBe('UNAUTHENTICATED');
    expect((await signIn(jo.email, 'Kestrel harbour morning 3')).data?.login.challenge).toBeNull();
  });

  it('an account created with mustChangePassword signs in to a forced change', async () => {
    const jo = await officer({ mustChangePassword: true });
    const first = await signIn(jo.email, INITIAL);
    expect(first.data?.login.challenge?.step).toBe('PASSWORD_CHANGE');
    const plain = await officer();
    expect((await signIn(plain.email, INITIAL)).data?.login.challenge).toBeNull();
  });

  it('users edit their own contact card, and the audit trail says which fields, not what they say', async () => {
    const jo = await officer();
    const session = await login(app.url, jo.email, INITIAL);
    const input = { jobTitle: 'Detective Constable', phone: '+44 1632 960123', contactRoute: 'Via the MASH desk, 9-5' };
    const updated = await app.gqlData<{ updateMyContactCard: Record<string, string> }>({
      query: CARD,
      variables: { input },
      token: session.accessToken,
    });
    expect(updated.updateMyContactCard).toEqual(input);
    // A field left out stays; null clears.
    await app.gqlData({ query: CARD, variables: { input: { phone: null } }, token: session.accessToken });
    const { me } = await app.gqlData<{ me: Record<string, string | null> }>({ query: ME, token: session.accessToken });
    expect(me).toMatchObject({ jobTitle: 'Detective Constable', phone: null, contactRoute: 'Via the MASH desk, 9-5' });

    for (const [field, value] of [
      ['phone', 'call me maybe'],
      ['jobTitle', 'x'.repeat(201)],
      ['contactRoute', 'line one\nline two'],
    ] as const) {
      const bad = await app.gql({ query: CARD, variables: { input: { [field]: value } }, token: session.accessToken });
      expect(errorCode(bad)).toBe('BAD_USER_INPUT');
      expect(bad.errors?.[0]?.extensions?.field).toBe(field);
    }
    const unknown = await app.gql({
      query: CARD,
      variables: { input: { email: 'x@y.z' } },
      token: session.accessToken,
    });
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    const after = await app.gqlData<{ me: Record<string, string | null> }>({ query: ME, token: session.accessToken });
    expect(after.me).toEqual(me);

    const { rows } = await query<{ reason: string; detail: unknown }>(
      app,
      `SELECT reason, detail FROM audit_entries WHERE actor_id = $1 AND subject_type = 'User' AND action = 'UPDATE' ORDER BY at`,
      [jo.id],
    );
    expect(rows.map((r) => r.detail)).toEqual([
      { fields: ['jobTitle', 'phone', 'contactRoute'] },
      { fields: ['phone'] },
    ]);
    expect(JSON.stringify(rows)).not.toContain('MASH');
  });
});
