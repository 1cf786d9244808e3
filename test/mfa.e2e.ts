import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generate } from 'otplib';
import { errorCode } from '@hearth/testing';
import { query } from './support/demo.js';
import { DEMO_PASSWORD, login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sized for a loaded 2-core machine: every test signs in (argon2id) several times.
jest.setTimeout(120_000);

const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken challenge { token step } }
}`;
const COMPLETE = `mutation ($t: String!, $code: String) { completeLogin(challengeToken: $t, code: $code) { accessToken challenge { step } } }`;
const BEGIN = `mutation { beginMfaEnrolment { secret otpauthUri } }`;
const CONFIRM = `mutation ($code: String!) { confirmMfaEnrolment(code: $code) }`;
const USERS = `{ users(first: 5) { edges { node { id } } } }`;
const ENTRIES = `{ auditEntries(first: 5, filter: { action: LOGIN_FAILED }) { edges { node { id } } } }`;

type Payload = { accessToken: string | null; challenge: { token: string; step: string } | null };

/** A TOTP code for now, or for the next 30-second step (the server allows one step of drift). */
const code = (secret: string, stepsAhead = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });

describe('a second factor for oversight roles', () => {
  let app: TestApp;
  /** pam's session from her enrolment: verified with a second factor. */
  let pamVerified: Session;

  beforeAll(async () => {
    app = await startTestApp({ HEARTH_MFA_REQUIRED: 'true' });
  });
  afterAll(async () => {
    await app.close();
  });

  const signIn = async (email: string) =>
    (await app.gqlData<{ login: Payload }>({ query: LOGIN, variables: { email, password: DEMO_PASSWORD } })).login;
  const complete = (challenge: string, value: string) =>
    app.gql<{ completeLogin: Payload }>({ query: COMPLETE, variables: { t: challenge, code: value } });

  async function enrol(session: Session): Promise<{ secret: string; recoveryCodes: string[] }> {
    const { beginMfaEnrolment } = await app.gqlData<{ beginMfaEnrolment: { secret: string; otpauthUri: string } }>({
      query: BEGIN,
      token: session.accessToken,
    });
    expect(beginMfaEnrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\/Hearth:/);
    const wrong = await app.gql({ query: CONFIRM, variables: { code: '000000' }, token: session.accessToken });
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    const { confirmMfaEnrolment } = await app.gqlData<{ confirmMfaEnrolment: string[] }>({
      query: CONFIRM,
      variables: { code: await code(beginMfaEnrolment.secret) },
      token: session.accessToken,
    });
    return { secret: beginMfaEnrolment.secret, recoveryCodes: confirmMfaEnrolment };
  }

  it('an agency admin without a second factor cannot act as admin; with one, can', async () => {
    const ada = await login(app.url, 'ada.admin');
    expect(errorCode(await app.gql({ query: USERS, token: ada.accessToken }))).toBe('FORBIDDEN');
    // Positive control: a practitioner needs no second factor for practitioner work.
    const sam = await login(app.url, 'sam.social');
    expect(
      errorCode(await app.gql({ query: '{ myFamilies(first: 1) { edges { cursor } } }', token: sam.accessToken })),
    ).toBe(undefined);

    const { secret, recoveryCodes } = await enrol(ada);
    expect(recoveryCodes).toHaveLength(10);
    // Proving the factor lifts the session that enrolled.
    expect(errorCode(await app.gql({ query: USERS, token: ada.accessToken }))).toBeUndefined();

    // From now on, a password alone gives only a challenge.
    const first = await signIn('ada.admin@demo.hearth');
    expect(first).toEqual({ accessToken: null, challenge: { token: expect.any(String), step: 'MFA_CODE' } });
    const next = await code(secret, 1);
    const done = await complete(first.challenge!.token, next);
    const token = done.data?.completeLogin.accessToken;
    expect(token).toEqual(expect.any(String));
    expect(errorCode(await app.gql({ query: USERS, token: token! }))).toBeUndefined();

    // The same code is refused within its window, even with a fresh challenge.
    const second = await signIn('ada.admin@demo.hearth');
    expect(errorCode(await complete(second.challenge!.token, next))).toBe('UNAUTHENTICATED');
    // The challenge is not an access token, nor an access token a challenge.
    expect(errorCode(await app.gql({ query: USERS, token: second.challenge!.token }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await complete(token!, await code(secret)))).toBe('UNAUTHENTICATED');

    const { rows } = await query<{ reason: string; detail: { mfa?: boolean } }>(
      app,
      `SELECT reason, detail FROM audit_entries WHERE (actor_id = $1 OR subject_id = $1::text) AND action IN ('LOGIN', 'LOGIN_FAILED') ORDER BY at`,
      [ada.userId],
    );
    expect(rows.map((r) => r.reason ?? r.detail)).toEqual(
      expect.arrayContaining([{ method: 'password', mfa: true }, 'second-factor code already used']),
    );
  });

  it('a recovery code signs in once', async () => {
    const pam = await login(app.url, 'pam.partner');
    const { recoveryCodes } = await enrol(pam);
    pamVerified = pam;
    const [recovery] = recoveryCodes;
    const first = await signIn('pam.partner@demo.hearth');
    const used = await complete(first.challenge!.token, recovery!.toUpperCase());
    expect(used.data?.completeLogin.accessToken).toEqual(expect.any(String));
    const again = await signIn('pam.partner@demo.hearth');
    expect(errorCode(await complete(again.challenge!.token, recovery!))).toBe('UNAUTHENTICATED');
    expect((await complete(again.challenge!.token, recoveryCodes[1]!)).data?.completeLogin.accessToken).toEqual(
      expect.any(String),
    );
  });

  it('of two concurrent uses of one code, exactly one signs in', async () => {
    const auditor = await login(app.url, 'aud.auditor');
    expect(errorCode(await app.gql({ query: ENTRIES, token: auditor.accessToken }))).toBe('FORBIDDEN');
    const { secret } = await enrol(auditor);
    const [a, b] = await Promise.all([signIn('aud.auditor@demo.hearth'), signIn('aud.auditor@demo.hearth')]);
    const next = await code(secret, 1);
    const results = await Promise.all([complete(a.challenge!.token, next), complete(b.challenge!.token, next)]);
    expect(results.map((r) => errorCode(r) ?? 'OK').sort()).toEqual(['OK', 'UNAUTHENTICATED']);
  });

  it('limits the codes tried, counting before checking, so even the right code waits', async () => {
    const mia = await login(app.url, 'mia.manager');
    const { secret } = await enrol(mia);
    const challenge = (await signIn('mia.manager@demo.hearth')).challenge!.token;
    const tries = await Promise.all(Array.from({ length: 8 }, (_, i) => complete(challenge, String(100000 + i))));
    const codes = tries.map((r) => errorCode(r));
    // The enrolment's wrong code counted too: at most 5 in the window were ever checked.
    expect(codes.filter((c) => c === 'UNAUTHENTICATED').length).toBeLessThanOrEqual(4);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(4);
    expect(errorCode(await complete(challenge, await code(secret, 1)))).toBe('RATE_LIMITED');
  });

  it('an admin removes a lost second factor; its owner must set up a new one to act as admin again', async () => {
    const REMOVE = `mutation ($u: ID!) { removeUserMfa(userId: $u) { id } }`;
    const ada = await signIn('ada.admin@demo.hearth');
    expect(ada.challenge?.step).toBe('MFA_CODE');
    const { rows } = await query<{ id: string }>(app, `SELECT id FROM users WHERE email = 'ada.admin@demo.hearth'`);
    const adaId = rows[0]!.id;
    expect(
      errorCode(await app.gql({ query: REMOVE, variables: { u: pamVerified.userId }, token: pamVerified.accessToken })),
    ).toBe('FORBIDDEN');
    await app.gqlData({ query: REMOVE, variables: { u: adaId }, token: pamVerified.accessToken });
    const after = await signIn('ada.admin@demo.hearth');
    expect(after).toEqual({ accessToken: expect.any(String), challenge: null });
    expect(errorCode(await app.gql({ query: USERS, token: after.accessToken! }))).toBe('FORBIDDEN');
    const { rows: trail } = await query<{ action: string }>(
      app,
      `SELECT action FROM audit_entries WHERE subject_type = 'MfaFactor' AND subject_id = $1 AND actor_id = $2`,
      [adaId, pamVerified.userId],
    );
    expect(trail.map((r) => r.action)).toEqual(['REVOKE']);
  });

  it('tells the user and their agency admin whether a second factor is set up; nobody else', async () => {
    const USERS_MFA = `{ users(first: 50) { edges { node { email mfaEnabled agency { id } } } } }`;
    type Row = { email: string; mfaEnabled: boolean | null; agency: { id: string } };
    const ME_MFA = `{ me { mfaEnabled agency { id } } }`;
    const sam = await login(app.url, 'sam.social');
    expect(
      (await app.gqlData<{ me: { mfaEnabled: boolean } }>({ query: ME_MFA, token: sam.accessToken })).me.mfaEnabled,
    ).toBe(false);
    // ada's factor was removed above: she sets up a new one.
    const ada = await login(app.url, 'ada.admin');
    const adaMe = (
      await app.gqlData<{ me: { mfaEnabled: boolean; agency: { id: string } } }>({
        query: ME_MFA,
        token: ada.accessToken,
      })
    ).me;
    expect(adaMe.mfaEnabled).toBe(false);
    await enrol(ada);
    expect(
      (await app.gqlData<{ me: { mfaEnabled: boolean } }>({ query: ME_MFA, token: ada.accessToken })).me.mfaEnabled,
    ).toBe(true);
    // Her agency's admin view: every row says, hers true.
    const own = (
      await app.gqlData<{ users: { edges: { node: Row }[] } }>({ query: USERS_MFA, token: ada.accessToken })
    ).users.edges.map((e) => e.node);
    expect(own.length).toBeGreaterThan(1);
    expect(own.every((u) => typeof u.mfaEnabled === 'boolean')).toBe(true);
    expect(own.find((u) => u.email === 'ada.admin@demo.hearth')?.mfaEnabled).toBe(true);
    // A partnership admin sees every agency's accounts, but not whether others of other agencies have a factor.
    const all = (
      await app.gqlData<{ users: { edges: { node: Row }[] } }>({ query: USERS_MFA, token: pamVerified.accessToken })
    ).users.edges.map((e) => e.node);
    expect(all.find((u) => u.email === 'pam.partner@demo.hearth')?.mfaEnabled).toBe(true);
    const adaSeenByPam = all.find((u) => u.email === 'ada.admin@demo.hearth');
    expect(adaSeenByPam).toBeDefined();
    expect(adaSeenByPam!.mfaEnabled).toBeNull();
  });

  it('new recovery codes need a current authenticator code; the old ones stop working', async () => {
    const REGENERATE = `mutation ($code: String!) { regenerateRecoveryCodes(code: $code) }`;
    const practitioner = await login(app.url, 'sam.social');
    // No factor: nothing to regenerate.
    expect(
      errorCode(await app.gql({ query: REGENERATE, variables: { code: '123456' }, token: practitioner.accessToken })),
    ).toBe('CONFLICT');
    const pat = await login(app.url, 'pat.police');
    const { secret, recoveryCodes: old } = await enrol(pat);
    // A wrong code, or a recovery code, does not renew them.
    expect(errorCode(await app.gql({ query: REGENERATE, variables: { code: '000000' }, token: pat.accessToken }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await app.gql({ query: REGENERATE, variables: { code: old[0]! }, token: pat.accessToken }))).toBe(
      'BAD_USER_INPUT',
    );
    const { regenerateRecoveryCodes: fresh } = await app.gqlData<{ regenerateRecoveryCodes: string[] }>({
      query: REGENERATE,
      variables: { code: await code(secret, 1) },
      token: pat.accessToken,
    });
    expect(fresh).toHaveLength(10);
    expect(new Set(fresh).size).toBe(10);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    // The old codes are refused at sign-in; a new one signs in.
    const first = await signIn('pat.police@demo.hearth');
    expect(first.challenge?.step).toBe('MFA_CODE');
    expect(errorCode(await complete(first.challenge!.token, old[2]!))).toBe('UNAUTHENTICATED');
    expect((await complete(first.challenge!.token, fresh[0]!)).data?.completeLogin.accessToken).toEqual(
      expect.any(String),
    );
    const { rows } = await query<{ action: string; reason: string; detail: Record<string, unknown> }>(
      app,
      `SELECT a.action, a.reason, a.detail FROM audit_entries a JOIN users u ON u.id::text = a.subject_id::text
       WHERE a.subject_type = 'MfaFactor' AND u.email = 'pat.police@demo.hearth' ORDER BY a.at DESC, a.id DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({
      action: 'UPDATE',
      reason: 'recovery codes replaced; the old ones no longer work',
      detail: { recoveryCodes: 10 },
    });
    expect(JSON.stringify(rows)).not.toContain(fresh[0]!);
  });
});
