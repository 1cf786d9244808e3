import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import {
  connectSocket,
  createTestDatabase,
  graphql,
  graphqlData,
  refusedHandshake,
  type TestDatabase,
} from '@hearth/testing';
import { spawnHearth } from './support/process.js';
import { DEMO_PASSWORD } from './support/session.js';

// Two real processes, each signing in several times (argon2id), on a busy 2-core machine.
jest.setTimeout(240_000);

/**
 * Hearth as a real process, at the default log level and at debug: everything it writes to
 * stdout and stderr, while people sign in, refresh, fail, connect sockets and put tokens where
 * they do not belong, holds none of their secrets. The request lines (with their reqId) are
 * there, so the logging was on.
 */
const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken challenge { token step } user { id } } }`;
const REFRESH = `mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }`;
const COMPLETE = `mutation ($t: String!, $code: String) { completeLogin(challengeToken: $t, code: $code) { accessToken refreshToken } }`;
const BEGIN = `mutation { beginMfaEnrolment { secret otpauthUri } }`;
const CONFIRM = `mutation ($code: String!) { confirmMfaEnrolment(code: $code) }`;
const RESET = `mutation ($userId: ID!) { resetUserPassword(userId: $userId) { token link } }`;
const COMPLETE_RESET = `mutation ($token: String!, $p: String!) { completePasswordReset(token: $token, newPassword: $p) }`;

interface Login {
  login: {
    accessToken: string | null;
    refreshToken: string | null;
    challenge: { token: string; step: string } | null;
    user: { id: string } | null;
  };
}

const WRONG_PASSWORD = 'Wrong guess for the log check 4711';
const NEW_PASSWORD = 'Kestrel lantern harbour 2093';

/**
 * A JWT is found whole or by its signature, the part no other token shares. (A six-digit code is
 * looked for as a JSON string, so that a process id or a duration is not taken for one.)
 */
const forms = (secret: string): string[] => {
  const parts = secret.split('.');
  return parts.length === 3 ? [secret, parts[2]!] : [secret];
};

describe('secrets in the log', () => {
  const databases: TestDatabase[] = [];
  const folders: string[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['info', 'debug'])('writes no token, password, code or reset token at log level %s', async (level) => {
    const db = await createTestDatabase({ demo: true });
    databases.push(db);
    const dataDir = mkdtempSync(join(tmpdir(), 'hlog-'));
    folders.push(dataDir);
    const hearth = spawnHearth({
      DATABASE_URL: db.url,
      HEARTH_DATA_DIR: dataDir,
      HEARTH_SEED_DEMO: 'false',
      HEARTH_SOCKET_ADAPTER: 'none',
      ...(level === 'info' ? {} : { LOG_LEVEL: level }),
    });
    const url = await hearth.listening;
    const secrets: Record<string, string> = {};
    const requestId = `log-check-${level}-${Date.now()}`;
    const signIn = (email: string, password: string) =>
      graphql<Login>(url, { query: LOGIN, variables: { email, password }, headers: { 'x-request-id': requestId } });

    // Sign in, refresh, and fail to sign in.
    const sam = (await signIn('sam.social@demo.hearth', DEMO_PASSWORD)).data!.login;
    secrets['access token'] = sam.accessToken!;
    secrets['refresh token'] = sam.refreshToken!;
    const refreshed = await graphqlData<{ refreshSession: { accessToken: string; refreshToken: string } }>(url, {
      query: REFRESH,
      variables: { t: sam.refreshToken },
    });
    secrets['refreshed access token'] = refreshed.refreshSession.accessToken;
    secrets['refreshed refresh token'] = refreshed.refreshSession.refreshToken;
    const failed = await signIn('sam.social@demo.hearth', WRONG_PASSWORD);
    expect(failed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await signIn('nobody@demo.hearth', WRONG_PASSWORD)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    secrets['demo password'] = DEMO_PASSWORD;
    secrets['wrong password'] = WRONG_PASSWORD;

    // A socket with its token in the handshake, and one with it in the query string.
    const socket = await connectSocket(url, refreshed.refreshSession.accessToken);
    expect(await socket.socket.timeout(10_000).emitWithAck('resume', { afterSeq: 0 })).toMatchObject({ ok: true });
    socket.close();
    expect(await refusedHandshake(url, undefined, { query: { token: refreshed.refreshSession.accessToken } })).toBe(
      'unauthorized',
    );

    // Tokens in a URL's query string, where no client should put them.
    const inUrl = await fetch(
      `${url}/graphql?query=${encodeURIComponent('{ __typename }')}&access_token=${refreshed.refreshSession.accessToken}`,
      { headers: { 'apollo-require-preflight': 'true', 'x-request-id': requestId } },
    );
    expect(inUrl.status).toBeLessThan(500);
    const health = await fetch(`${url}/health/ready?token=${sam.refreshToken}`, {
      headers: { 'x-request-id': requestId },
    });
    expect(health.status).toBe(200);
    // And a forged token in the header, refused.
    const forged = await graphql(url, { query: '{ me { id } }', token: `${sam.accessToken}x` });
    expect(forged.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // A refresh token used twice: refused, and the session ends.
    const replayed = await graphql(url, { query: REFRESH, variables: { t: sam.refreshToken } });
    expect(replayed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    // A second factor: the enrolment secret, the codes, the recovery codes and the challenge.
    const pam = (await signIn('pam.partner@demo.hearth', DEMO_PASSWORD)).data!.login;
    const { beginMfaEnrolment } = await graphqlData<{ beginMfaEnrolment: { secret: string } }>(url, {
      query: BEGIN,
      token: pam.accessToken!,
    });
    secrets['second factor secret'] = beginMfaEnrolment.secret;
    const enrolCode = await generate({ secret: beginMfaEnrolment.secret });
    const { confirmMfaEnrolment: recovery } = await graphqlData<{ confirmMfaEnrolment: string[] }>(url, {
      query: CONFIRM,
      variables: { code: enrolCode },
      token: pam.accessToken!,
    });
    recovery.forEach((code, i) => (secrets[`recovery code ${i}`] = code));
    const challenged = (await signIn('pam.partner@demo.hearth', DEMO_PASSWORD)).data!.login;
    expect(challenged.challenge?.step).toBe('MFA_CODE');
    secrets['challenge token'] = challenged.challenge!.token;
    const wrongCode = await graphql(url, {
      query: COMPLETE,
      variables: { t: challenged.challenge!.token, code: '000000' },
    });
    expect(wrongCode.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A code is used once: sign in with the next step's (the server allows one step of drift).
    const signInCode = await generate({ secret: beginMfaEnrolment.secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    secrets['enrolment code'] = `"${enrolCode}"`;
    secrets['sign-in code'] = `"${signInCode}"`;
    const completed = await graphqlData<{ completeLogin: { accessToken: string; refreshToken: string } }>(url, {
      query: COMPLETE,
      variables: { t: challenged.challenge!.token, code: signInCode },
    });
    secrets['second factor access token'] = completed.completeLogin.accessToken;
    secrets['second factor refresh token'] = completed.completeLogin.refreshToken;

    // A password reset: the reset token and the new password.
    const ada = (await signIn('ada.admin@demo.hearth', DEMO_PASSWORD)).data!.login;
    const pat = (await signIn('pat.police@demo.hearth', DEMO_PASSWORD)).data!.login;
    const { resetUserPassword } = await graphqlData<{ resetUserPassword: { token: string } }>(url, {
      query: RESET,
      variables: { userId: pat.user!.id },
      token: ada.accessToken!,
    });
    secrets['reset token'] = resetUserPassword.token;
    secrets['new password'] = NEW_PASSWORD;
    const reset = await graphqlData<{ completePasswordReset: boolean }>(url, {
      query: COMPLETE_RESET,
      variables: { token: resetUserPassword.token, p: NEW_PASSWORD },
    });
    expect(reset.completePasswordReset).toBe(true);
    const signedInAfterReset = await signIn('pat.police@demo.hearth', NEW_PASSWORD);
    expect(signedInAfterReset.errors).toBeUndefined();

    // Everything is written once the process has stopped.
    hearth.child.kill('SIGTERM');
    expect(await hearth.exited).toBe(0);
    const log = hearth.stdout() + hearth.stderr();

    // The logging was on: the request lines, with the request id sent, and the stop.
    const lines = log.split('\n').filter((line) => line.includes(`"reqId":"${requestId}"`));
    expect(lines.filter((line) => line.includes('"msg":"request completed"')).length).toBeGreaterThanOrEqual(8);
    expect(lines.some((line) => line.includes('"path":"/health/ready"'))).toBe(true);
    expect(lines.some((line) => line.includes('"path":"/graphql"'))).toBe(true);
    expect(log).toContain('"msg":"stopped"');

    const found = Object.entries(secrets)
      .filter(([, secret]) => forms(secret).some((form) => log.includes(form)))
      .map(([what]) => what);
    expect(found).toEqual([]);
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(15);
  });
});
