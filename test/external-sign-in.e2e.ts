import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer } from 'node:net';
import { generate } from 'otplib';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWTPayload } from 'jose';
import pg from 'pg';
import { CLOCK, type Clock } from '@hearth/config';
import { errorCode } from '@hearth/testing';
import { startIdentityProvider, type RunningIdentityProvider } from '../apps/api/src/demo/identity-provider.js';
import { DEMO_PASSWORD, login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sized for a loaded 2-core machine: every sign-in crosses two servers and several redirects.
jest.setTimeout(120_000);

const SECRET_ENV = 'HEARTH_OIDC_SECRET_NORTHSHIRE_POLICE';
const CLIENT_SECRET = 'a-client-secret-of-at-least-32-characters-long';
const IDP_PASSWORD = 'provider-password';

const CONFIGURE = `mutation ($input: ConfigureIdentityProviderInput!) {
  configureAgencyIdentityProvider(input: $input) { agencyId issuer clientId clientSecretEnv redirectUri startPath passwordSignInAllowed }
}`;
const PROVIDERS = `{ signInProviders { agencyId agencyName startPath } }`;
const COMPLETE = `mutation ($h: String!) {
  completeExternalSignIn(handoff: $h) { accessToken refreshToken user { email } challenge { step } }
}`;
const ME = `{ me { email agency { name } } }`;
const COMPLETE_LOGIN = `mutation ($t: String!, $code: String) {
  completeLogin(challengeToken: $t, code: $code) { accessToken challenge { step } }
}`;
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A browser without a browser: a cookie jar (by name; both servers are on 127.0.0.1) and manual redirects. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Response> {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...value] = pair!.trim().split('=');
      const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    return res;
  }
}

describe("sign-in through an agency's OpenID provider", () => {
  let app: TestApp;
  let idp: RunningIdentityProvider;
  let db: pg.Client;
  let clock: Clock;
  let policeId: string;
  let pam: Session;
  /** Rewrites the ID token the provider returns (re-signed with its own key), when set. */
  let tamper: ((claims: JWTPayload) => JWTPayload) | undefined;
  /** Signs the tampered ID token with this key instead of the provider's, when set. */
  let foreignKey: boolean;
  /** When set, the provider has rotated to the other key under this key id (ID tokens and JWKS). */
  let rotatedKid: string | undefined;
  /** Requests the provider has answered, by path. */
  const served = new Map<string, number>();

  beforeAll(async () => {
    process.env[SECRET_ENV] = CLIENT_SECRET;
    const port = await freePort();
    const hearthUrl = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider({
      name: 'Northshire Police identity',
      clients: [
        {
          client_id: 'hearth',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${hearthUrl}/auth/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      accounts: {
        pat: { password: IDP_PASSWORD, email: 'pat.police@demo.hearth', emailVerified: true },
        ada: { password: IDP_PASSWORD, email: 'ada.admin@demo.hearth', emailVerified: true },
        nobody: { password: IDP_PASSWORD, email: 'nobody@demo.hearth', emailVerified: true },
        sam: { password: IDP_PASSWORD, email: 'sam.social@demo.hearth', emailVerified: true },
        unverified: { password: IDP_PASSWORD, email: 'hal.health@demo.hearth', emailVerified: false },
        unclaimed: { password: IDP_PASSWORD, email: 'pat.police@demo.hearth' },
        unclaimedElsewhere: { password: IDP_PASSWORD, email: 'pat.police@elsewhere.example' },
        elsewhere: { password: IDP_PASSWORD, email: 'pat.police@elsewhere.example', emailVerified: true },
      },
    });
    const signingKey = await importJWK(idp.signingKey, 'RS256');
    const { privateKey: otherKey, publicKey: otherPublic } = await import('node:crypto').then((c) =>
      c.generateKeyPairSync('rsa', { modulusLength: 2048 }),
    );
    idp.provider.use(async (ctx, next) => {
      served.set(ctx.path, (served.get(ctx.path) ?? 0) + 1);
      await next();
      if (rotatedKid && ctx.path === '/jwks') {
        const jwks = (typeof ctx.body === 'string' ? JSON.parse(ctx.body) : ctx.body) as { keys: unknown[] };
        ctx.body = { keys: [...jwks.keys, { ...otherPublic.export({ format: 'jwk' }), kid: rotatedKid, use: 'sig' }] };
        return;
      }
      const body = ctx.body as { id_token?: string } | undefined;
      if (!(tamper || rotatedKid) || ctx.path !== '/token' || !body?.id_token) return;
      const header = decodeProtectedHeader(body.id_token);
      const claims = (tamper ?? ((c: JWTPayload) => c))(decodeJwt(body.id_token));
      body.id_token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: rotatedKid ?? header.kid! })
        .sign(foreignKey || rotatedKid ? otherKey : signingKey);
    });
    app = await startTestApp({ PORT: String(port), HEARTH_PUBLIC_URL: hearthUrl });
    expect(app.url).toBe(hearthUrl);
    clock = app.hearth.app.get<Clock>(CLOCK);
    db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
    const [police] = (await db.query<{ id: string }>(`SELECT id FROM agencies WHERE name = 'Northshire Police'`)).rows;
    policeId = police!.id;
    pam = await login(app.url, 'pam.partner');
  });
  afterAll(async () => {
    await db?.end();
    await app?.close();
    await idp?.close();
    delete process.env[SECRET_ENV];
  });

  const configure = (input: Record<string, unknown>, token = pam.accessToken) =>
    app.gql<{ configureAgencyIdentityProvider: Record<string, unknown> }>({
      query: CONFIGURE,
      variables: {
        input: {
          agencyId: policeId,
          issuer: idp.issuer,
          clientId: 'hearth',
          clientSecretEnv: SECRET_ENV,
          allowedEmailDomains: ['demo.hearth'],
          ...input,
        },
      },
      token,
    });

  /** From Hearth's start path through the provider's login form, up to (not into) Hearth's callback. */
  async function toCallback(who: string, browser = new Browser()): Promise<{ callback: string; browser: Browser }> {
    let res = await browser.get(`${app.url}/auth/oidc/${policeId}/start`);
    for (let hops = 0; hops < 10; hops++) {
      if (res.status === 200) {
        const html = await res.text();
        const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
        expect(action).toBeDefined();
        res = await browser.post(new URL(action!, idp.issuer).href, { login: who, password: IDP_PASSWORD });
        continue;
      }
      expect([302, 303]).toContain(res.status);
      const next = new URL(res.headers.get('location')!, res.url);
      if (next.pathname === '/auth/oidc/callback') return { callback: next.href, browser };
      expect(next.origin).toBe(idp.issuer);
      res = await browser.get(next.href);
    }
    throw new Error('too many redirects');
  }

  /** Hearth's answer to a callback: the handoff code, or the error code. */
  async function callback(url: string, browser: Browser): Promise<{ signin?: string; signinError?: string }> {
    const res = await browser.get(url);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!, app.url);
    expect(location.pathname).toBe('/');
    const answer: { signin?: string; signinError?: string } = Object.fromEntries(location.searchParams);
    return answer;
  }

  async function signIn(who: string): Promise<{ signin?: string; signinError?: string }> {
    const { callback: url, browser } = await toCallback(who);
    return callback(url, browser);
  }

  async function complete(handoff: string) {
    return app.gql<{
      completeExternalSignIn: {
        accessToken: string | null;
        refreshToken: string | null;
        user: { email: string } | null;
        challenge: { step: string } | null;
      };
    }>({ query: COMPLETE, variables: { h: handoff } });
  }

  /** The reason and detail of the latest refused identity provider sign-in in the audit trail. */
  async function lastRefusal(): Promise<{ reason: string; detail: Record<string, unknown> }> {
    const { rows } = await db.query<{ reason: string; detail: Record<string, unknown> }>(
      `SELECT reason, detail FROM audit_entries WHERE action = 'LOGIN_FAILED' AND detail->>'method' = 'oidc'
       ORDER BY at DESC, id DESC LIMIT 1`,
    );
    return rows[0]!;
  }

  it('a partnership admin configures the police force’s provider; the secret stays a reference', async () => {
    // Refused: not a partnership admin; a secret in a variable outside the prefix; an unknown agency.
    const ada = await login(app.url, 'ada.admin');
    expect(errorCode(await configure({}, ada.accessToken))).toBe('FORBIDDEN');
    expect(errorCode(await configure({ clientSecretEnv: 'DATABASE_URL' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await configure({ clientSecretEnv: 'HEARTH_OIDC_SECRET_UNSET' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await configure({ issuer: 'ftp://idp.example' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await configure({ allowedEmailDomains: [] }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await configure({ agencyId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
    expect((await app.gqlData<{ signInProviders: unknown[] }>({ query: PROVIDERS })).signInProviders).toEqual([]);

    const done = await configure({});
    expect(done.errors).toBeUndefined();
    expect(done.data?.configureAgencyIdentityProvider).toEqual({
      agencyId: policeId,
      issuer: idp.issuer,
      clientId: 'hearth',
      clientSecretEnv: SECRET_ENV,
      redirectUri: `${app.url}/auth/oidc/callback`,
      startPath: `/auth/oidc/${policeId}/start`,
      passwordSignInAllowed: true,
    });
    const stored = await db.query(`SELECT * FROM agency_identity_providers`);
    expect(JSON.stringify(stored.rows)).not.toContain(CLIENT_SECRET);
    // The sign-in screen lists it, without signing in.
    expect((await app.gqlData<{ signInProviders: unknown[] }>({ query: PROVIDERS })).signInProviders).toEqual([
      { agencyId: policeId, agencyName: 'Northshire Police', startPath: `/auth/oidc/${policeId}/start` },
    ]);
  });

  it('pat signs in end to end: linked by verified email, then by subject; the handoff is single use', async () => {
    const first = await signIn('pat');
    expect(first.signinError).toBeUndefined();
    const redeemed = await complete(first.signin!);
    expect(redeemed.errors).toBeUndefined();
    const payload = redeemed.data!.completeExternalSignIn;
    expect(payload.user).toEqual({ email: 'pat.police@demo.hearth' });
    expect(payload.challenge).toBeNull();
    const me = await app.gqlData<{ me: unknown }>({ query: ME, token: payload.accessToken! });
    expect(me.me).toEqual({ email: 'pat.police@demo.hearth', agency: { name: 'Northshire Police' } });
    // The code is spent.
    expect(errorCode(await complete(first.signin!))).toBe('UNAUTHENTICATED');

    const links = await db.query(`SELECT issuer, subject FROM external_identities`);
    expect(links.rows).toEqual([{ issuer: idp.issuer, subject: 'pat' }]);
    // Audited: the link, the verified sign-in (how it was linked), the session (its method), the spent code.
    const audited = await db.query<{ action: string; subject_type: string; reason: string | null }>(
      `SELECT action, subject_type, reason FROM audit_entries
       WHERE detail->>'method' = 'oidc' OR subject_type = 'ExternalIdentity'`,
    );
    expect(audited.rows).toEqual(
      expect.arrayContaining([
        { action: 'CREATE', subject_type: 'ExternalIdentity', reason: expect.stringContaining('verified email') },
        { action: 'LOGIN', subject_type: 'User', reason: expect.stringContaining('handoff code issued') },
        { action: 'LOGIN', subject_type: 'Session', reason: null },
        { action: 'LOGIN_FAILED', subject_type: null, reason: expect.stringContaining('handoff code unknown') },
      ]),
    );
    expect(audited.rows).toHaveLength(4);

    // The provider now names another email: the subject still finds pat.
    idp.accounts.get('pat')!.email = 'p.police@elsewhere.example';
    try {
      const again = await signIn('pat');
      const second = await complete(again.signin!);
      expect(second.data?.completeExternalSignIn.user).toEqual({ email: 'pat.police@demo.hearth' });
    } finally {
      idp.accounts.get('pat')!.email = 'pat.police@demo.hearth';
    }
    // Another subject with pat's email is not linked to pat's account.
    idp.accounts.set('impostor', { password: IDP_PASSWORD, email: 'pat.police@demo.hearth', emailVerified: true });
    expect(await signIn('impostor')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
    expect((await lastRefusal()).reason).toBe('the account is linked to another subject of this provider');
  });

  it("fetches the provider's discovery document and keys once, again after a settings change or a key rotation", async () => {
    const fetched = () => ({
      discovery: served.get('/.well-known/openid-configuration') ?? 0,
      jwks: served.get('/jwks') ?? 0,
    });
    // A settings change drops what was kept.
    expect((await configure({})).errors).toBeUndefined();
    const before = fetched();
    for (let i = 0; i < 2; i++) {
      const { signin } = await signIn('pat');
      expect((await complete(signin!)).data?.completeExternalSignIn.accessToken).toEqual(expect.any(String));
    }
    expect(fetched()).toEqual({ discovery: before.discovery + 1, jwks: before.jwks + 1 });

    // The provider signs with a new key: the ID token names a key id not kept, so the keys are
    // fetched once more (not the discovery document) and the sign-in succeeds.
    rotatedKid = 'rotated-key';
    try {
      const { signin } = await signIn('pat');
      expect((await complete(signin!)).data?.completeExternalSignIn.accessToken).toEqual(expect.any(String));
      expect(fetched()).toEqual({ discovery: before.discovery + 1, jwks: before.jwks + 2 });
      expect((await signIn('pat')).signin).toEqual(expect.any(String));
      expect(fetched()).toEqual({ discovery: before.discovery + 1, jwks: before.jwks + 2 });
    } finally {
      rotatedKid = undefined;
    }
    // A changed setting fetches again.
    expect((await configure({ allowedEmailDomains: ['demo.hearth', 'example.org'] })).errors).toBeUndefined();
    expect((await signIn('pat')).signin).toEqual(expect.any(String));
    expect(fetched()).toEqual({ discovery: before.discovery + 2, jwks: before.jwks + 3 });
    expect((await configure({})).errors).toBeUndefined();
  });

  it('refuses a wrong state, then accepts the right one', async () => {
    const { callback: url, browser } = await toCallback('pat');
    const wrong = new URL(url);
    wrong.searchParams.set('state', 'not-the-state');
    expect(await callback(wrong.href, browser)).toEqual({ signinError: 'SIGN_IN_EXPIRED' });
    expect((await lastRefusal()).reason).toBe('unknown or already used sign-in state');
    const right = await callback(url, browser);
    expect(right.signin).toEqual(expect.any(String));
  });

  it('refuses a callback from another browser than the one that started', async () => {
    const { callback: url, browser } = await toCallback('pat');
    expect(await callback(url, new Browser())).toEqual({ signinError: 'SIGN_IN_EXPIRED' });
    expect((await lastRefusal()).reason).toContain('a browser other than the one');
    // The state was spent by the refused try: the right browser must start again.
    expect(await callback(url, browser)).toEqual({ signinError: 'SIGN_IN_EXPIRED' });
    expect((await signIn('pat')).signin).toEqual(expect.any(String));
  });

  it('refuses a replayed callback and a replayed code', async () => {
    const a = await toCallback('pat');
    expect((await callback(a.callback, a.browser)).signin).toEqual(expect.any(String));
    // The same callback again: its state is spent.
    expect(await callback(a.callback, a.browser)).toEqual({ signinError: 'SIGN_IN_EXPIRED' });
    // The spent code under a fresh, valid state: the provider refuses it.
    const b = await toCallback('pat');
    const replay = new URL(b.callback);
    replay.searchParams.set('code', new URL(a.callback).searchParams.get('code')!);
    expect(await callback(replay.href, b.browser)).toEqual({ signinError: 'VERIFICATION_FAILED' });
    expect((await lastRefusal()).detail['check']).toContain('invalid_grant');
  });

  it("refuses an ID token for another audience, or not signed with the provider's key", async () => {
    tamper = (claims) => ({ ...claims, aud: 'some-other-client' });
    try {
      expect(await signIn('pat')).toEqual({ signinError: 'VERIFICATION_FAILED' });
      expect((await lastRefusal()).detail['check']).toMatch(/aud/);
      // Control: the same re-signing without a change is accepted (the key is the provider's).
      tamper = (claims) => claims;
      expect((await signIn('pat')).signin).toEqual(expect.any(String));
      foreignKey = true;
      expect(await signIn('pat')).toEqual({ signinError: 'VERIFICATION_FAILED' });
    } finally {
      tamper = undefined;
      foreignKey = false;
    }
  });

  it("refuses an ID token expired by Hearth's clock", async () => {
    // The provider's ID tokens live an hour; Hearth's clock is two hours ahead.
    let offset = 2 * 3600_000;
    const real = Object.getOwnPropertyDescriptor(clock, 'now')!;
    clock.now = () => new Date(Date.now() + offset);
    try {
      expect(await signIn('pat')).toEqual({ signinError: 'VERIFICATION_FAILED' });
      expect((await lastRefusal()).detail['check']).toMatch(/exp/);
    } finally {
      offset = 0;
      Object.defineProperty(clock, 'now', real);
    }
    expect((await signIn('pat')).signin).toEqual(expect.any(String));
  });

  it('refuses unknown accounts, other agencies, unverified emails and foreign domains', async () => {
    expect(await signIn('nobody')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
    expect((await lastRefusal()).reason).toBe('no account of the agency has this email');
    expect(await signIn('sam')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
    expect((await lastRefusal()).reason).toBe('the account belongs to another agency');
    expect(await signIn('unverified')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
    expect((await lastRefusal()).reason).toBe('the provider did not say the email is verified');
    expect(await signIn('elsewhere')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
    expect((await lastRefusal()).reason).toBe("the email's domain is not allowed for the agency");
    // No email is kept as typed: only its keyed hash.
    const { rows } = await db.query(`SELECT detail FROM audit_entries WHERE detail->>'method' = 'oidc'`);
    expect(JSON.stringify(rows)).not.toContain('nobody@demo.hearth');
    // Control: ada, of the police force, is linked and signs in.
    const ada = await signIn('ada');
    expect((await complete(ada.signin!)).data?.completeExternalSignIn.user).toEqual({ email: 'ada.admin@demo.hearth' });
  });

  it('asks for the second factor after the provider, as after a password', async () => {
    const ada = await login(app.url, 'ada.admin');
    const { beginMfaEnrolment } = await app.gqlData<{ beginMfaEnrolment: { secret: string } }>({
      query: `mutation { beginMfaEnrolment { secret } }`,
      token: ada.accessToken,
    });
    const secret = beginMfaEnrolment.secret;
    await app.gqlData({
      query: `mutation ($code: String!) { confirmMfaEnrolment(code: $code) }`,
      variables: { code: await generate({ secret }) },
      token: ada.accessToken,
    });
    const handoff = (await signIn('ada')).signin!;
    const first = (await complete(handoff)).data!.completeExternalSignIn;
    expect(first).toEqual({ accessToken: null, refreshToken: null, user: null, challenge: { step: 'MFA_CODE' } });
    // The challenge is the one of login: a wrong code is refused, the right one gives the session.
    const token = await db.query<{ detail: { step: string } }>(
      `SELECT detail FROM audit_entries WHERE action = 'LOGIN' AND detail->>'step' = 'MFA_CODE' AND detail->>'method' = 'oidc'`,
    );
    expect(token.rows).toHaveLength(1);
    const challenge = await app.gqlData<{ completeExternalSignIn: { challenge: { token: string } } }>({
      query: `mutation ($h: String!) { completeExternalSignIn(handoff: $h) { challenge { token } } }`,
      variables: { h: (await signIn('ada')).signin! },
    });
    const answer = (code: string) =>
      app.gql<{ completeLogin: { accessToken: string | null } }>({
        query: COMPLETE_LOGIN,
        variables: { t: challenge.completeExternalSignIn.challenge.token, code },
      });
    expect(errorCode(await answer('000000'))).toBe('UNAUTHENTICATED');
    const done = await answer(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    expect(done.data?.completeLogin.accessToken).toEqual(expect.any(String));
    const session = await db.query<{ detail: Record<string, unknown> }>(
      `SELECT detail FROM audit_entries WHERE action = 'LOGIN' AND subject_type = 'Session' ORDER BY at DESC LIMIT 1`,
    );
    expect(session.rows[0]!.detail).toEqual({ method: 'oidc', mfa: true });
  });

  it('refuses a disabled account, linked or not', async () => {
    const [pat] = (await db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'pat.police@demo.hearth'`)).rows;
    const before = await signIn('pat');
    expect(before.signin).toEqual(expect.any(String));
    await db.query(`UPDATE users SET status = 'DISABLED' WHERE id = $1`, [pat!.id]);
    try {
      expect(await signIn('pat')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
      expect((await lastRefusal()).reason).toBe('the account is disabled');
      // A handoff issued before the account was disabled is refused too.
      expect(errorCode(await complete(before.signin!))).toBe('UNAUTHENTICATED');
    } finally {
      await db.query(`UPDATE users SET status = 'ACTIVE' WHERE id = $1`, [pat!.id]);
    }
    expect((await complete((await signIn('pat')).signin!)).data?.completeExternalSignIn.accessToken).toEqual(
      expect.any(String),
    );
  });

  it('an agency that turned password sign-in off refuses passwords, with a clear error', async () => {
    expect((await configure({ passwordSignInAllowed: false })).errors).toBeUndefined();
    try {
      const refused = await app.gql({
        query: LOGIN,
        variables: { email: 'pat.police@demo.hearth', password: DEMO_PASSWORD },
      });
      expect(errorCode(refused)).toBe('FORBIDDEN');
      expect(refused.errors?.[0]?.message).toContain('Sign in with Northshire Police');
      // Control: another agency's password sign-in, and pat through the provider.
      expect((await login(app.url, 'sam.social')).accessToken).toEqual(expect.any(String));
      expect((await signIn('pat')).signin).toEqual(expect.any(String));
    } finally {
      expect((await configure({ passwordSignInAllowed: true })).errors).toBeUndefined();
    }
    expect((await login(app.url, 'pat.police')).accessToken).toEqual(expect.any(String));
  });

  it('an unknown agency or a bad handoff is refused without detail', async () => {
    const res = await fetch(`${app.url}/auth/oidc/not-an-agency/start`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/?signinError=NOT_CONFIGURED');
    expect(errorCode(await complete('x'.repeat(500)))).toBe('BAD_USER_INPUT');
    expect(errorCode(await complete('made-up'))).toBe('UNAUTHENTICATED');
  });

  it('limits the sign-ins started from one client address: 429 with Retry-After', async () => {
    const start = () => fetch(`${app.url}/auth/oidc/${policeId}/start`, { redirect: 'manual' });
    // Counted from the first start of this window (the earlier tests' included).
    const answers: Response[] = [];
    for (let i = 0; i <= 60; i++) {
      const res = await start();
      answers.push(res);
      if (res.status !== 302) break;
    }
    const refused = answers.at(-1)!;
    // Control: the first starts were sent on to the provider.
    expect(answers[0]!.status).toBe(302);
    expect(new URL(answers[0]!.headers.get('location')!).origin).toBe(idp.issuer);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('set-cookie')).toBeNull();
    // Refused before any work: no attempt is stored for it.
    const attempts = async () =>
      Number((await db.query(`SELECT count(*) FROM external_sign_in_attempts`)).rows[0].count);
    const stored = await attempts();
    expect((await start()).status).toBe(429);
    expect(await attempts()).toBe(stored);
    // The window over, starts are allowed again.
    await db.query(`UPDATE rate_counters SET expires_at = now() WHERE key LIKE 'oidc-start:%'`);
    expect((await start()).status).toBe(302);
  });

  it('an email sent without an email_verified claim links only when the agency trusts its provider for it', async () => {
    const [pat] = (await db.query<{ id: string }>(`SELECT id FROM users WHERE email = 'pat.police@demo.hearth'`)).rows;
    // pat's link to this provider is dropped, so the next sign-in links by email again.
    await db.query(`DELETE FROM external_identities WHERE user_id = $1`, [pat!.id]);
    const linked = async () =>
      (await db.query<{ subject: string }>(`SELECT subject FROM external_identities WHERE user_id = $1`, [pat!.id]))
        .rows;
    // Off (the default): refused, nothing linked.
    expect(await signIn('unclaimed')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
    expect((await lastRefusal()).reason).toBe('the provider did not say the email is verified');
    expect(await linked()).toEqual([]);
    // A claim of false stays refused even with the option on; and the allowed domains still hold.
    const on = await configure({ trustEmailWithoutVerifiedClaim: true });
    expect(on.errors).toBeUndefined();
    try {
      expect(on.data?.configureAgencyIdentityProvider).toBeDefined();
      const providers = await app.gqlData<{ agencyIdentityProviders: { trustEmailWithoutVerifiedClaim: boolean }[] }>({
        query: `{ agencyIdentityProviders { trustEmailWithoutVerifiedClaim } }`,
        token: pam.accessToken,
      });
      expect(providers.agencyIdentityProviders).toEqual([{ trustEmailWithoutVerifiedClaim: true }]);
      const configured = await db.query<{ detail: Record<string, unknown> }>(
        `SELECT detail FROM audit_entries WHERE subject_type = 'AgencyIdentityProvider' ORDER BY at DESC, id DESC LIMIT 1`,
      );
      expect(configured.rows[0]!.detail['trustEmailWithoutVerifiedClaim']).toBe(true);
      expect(await signIn('unverified')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
      expect((await lastRefusal()).reason).toBe('the provider did not say the email is verified');
      expect(await signIn('unclaimedElsewhere')).toEqual({ signinError: 'ACCOUNT_NOT_AVAILABLE' });
      expect((await lastRefusal()).reason).toBe("the email's domain is not allowed for the agency");
      // On: linked by email, audited as trusted by the agency's setting.
      const { signin } = await signIn('unclaimed');
      expect((await complete(signin!)).data?.completeExternalSignIn.user).toEqual({ email: 'pat.police@demo.hearth' });
      expect(await linked()).toEqual([{ subject: 'unclaimed' }]);
      const link = await db.query<{ reason: string; detail: Record<string, unknown> }>(
        `SELECT reason, detail FROM audit_entries WHERE subject_type = 'ExternalIdentity' ORDER BY at DESC, id DESC LIMIT 1`,
      );
      expect(link.rows[0]!.detail['emailVerifiedBy']).toBe('agency-setting');
      expect(link.rows[0]!.reason).toContain('trusted by the agency setting');
    } finally {
      expect((await configure({})).errors).toBeUndefined();
    }
  });
});
