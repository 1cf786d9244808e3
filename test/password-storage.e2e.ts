import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { argon2id } from 'hash-wasm';
import { errorCode } from '@hearth/testing';
import { query } from './support/demo.js';
import { login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Several sign-ins and hashes (argon2id, 19 MiB each) on a busy 2-core machine.
jest.setTimeout(120_000);

/**
 * Passwords are stored as argon2id with the parameters PasswordService names (19 MiB, 2 passes,
 * 1 lane, a 16-byte salt, a 32-byte hash), in PHC form: checked on the stored rows, and by
 * computing the hash again from the password and the stored salt with those parameters.
 */
const PHC = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;
const CREATE = `mutation ($email: String!, $password: String!) {
  createUser(input: { email: $email, displayName: "Storage Check", roles: [PRACTITIONER], password: $password }) { id } }`;
const CHANGE = `mutation ($current: String!, $next: String!) { changeMyPassword(currentPassword: $current, newPassword: $next) }`;

/** The hash argon2id gives for this password and the stored salt, with the stated parameters. */
function recomputed(password: string, stored: string): Promise<string> {
  const salt = Buffer.from(PHC.exec(stored)![1]!, 'base64');
  return argon2id({
    password,
    salt,
    parallelism: 1,
    iterations: 2,
    memorySize: 19_456,
    hashLength: 32,
    outputType: 'encoded',
  });
}

describe('how passwords are stored', () => {
  let app: TestApp;
  let ada: Session;
  const storedFor = async (userId: string) =>
    (await query<{ password_hash: string }>(app, `SELECT password_hash FROM credentials WHERE user_id = $1`, [userId]))
      .rows[0]!.password_hash;

  beforeAll(async () => {
    app = await startTestApp();
    ada = await login(app.url, 'ada.admin');
  });
  afterAll(() => app.close());

  it('stores every demo password as argon2id with the stated parameters', async () => {
    const { rows } = await query<{ password_hash: string }>(app, `SELECT password_hash FROM credentials`);
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) expect(row.password_hash).toMatch(PHC);
    // The demo accounts share a password; each has its own salt.
    expect(new Set(rows.map((r) => PHC.exec(r.password_hash)![1])).size).toBe(rows.length);
  });

  it('hashes a new account’s password with argon2id and its own salt, and signs in with it', async () => {
    const password = 'Quiet heron over the weir 58';
    const ids: string[] = [];
    for (const email of ['storage.one@demo.hearth', 'storage.two@demo.hearth']) {
      const { createUser } = await app.gqlData<{ createUser: { id: string } }>({
        query: CREATE,
        variables: { email, password },
        token: ada.accessToken,
      });
      ids.push(createUser.id);
    }
    const [one, two] = await Promise.all(ids.map(storedFor));
    for (const stored of [one!, two!]) {
      expect(stored).toMatch(PHC);
      expect(stored).not.toContain(password);
      expect(await recomputed(password, stored)).toBe(stored);
    }
    expect(one).not.toBe(two);
    // The stored hash is the one sign-in checks.
    const session = await login(app.url, 'storage.one@demo.hearth', password);
    expect(session.userId).toBe(ids[0]);
  });

  it('hashes a changed password with argon2id again, and the old one no longer signs in', async () => {
    const before = 'Copper kettle on the hob 31';
    const after = 'Silver birch by the lane 64';
    const { createUser } = await app.gqlData<{ createUser: { id: string } }>({
      query: CREATE,
      variables: { email: 'storage.three@demo.hearth', password: before },
      token: ada.accessToken,
    });
    const first = await storedFor(createUser.id);
    const session = await login(app.url, 'storage.three@demo.hearth', before);
    const changed = await app.gqlData<{ changeMyPassword: boolean }>({
      query: CHANGE,
      variables: { current: before, next: after },
      token: session.accessToken,
    });
    expect(changed.changeMyPassword).toBe(true);
    const second = await storedFor(createUser.id);
    expect(second).toMatch(PHC);
    expect(second).not.toBe(first);
    expect(await recomputed(after, second)).toBe(second);
    expect(await recomputed(before, second)).not.toBe(second);
    expect((await login(app.url, 'storage.three@demo.hearth', after)).userId).toBe(createUser.id);
    const old = await app.gql({
      query: `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
      variables: { e: 'storage.three@demo.hearth', p: before },
    });
    expect(errorCode(old)).toBe('UNAUTHENTICATED');
  });
});
