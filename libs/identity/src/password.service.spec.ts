import { describe, expect, it } from '@jest/globals';
import { argon2id, argon2Verify } from 'hash-wasm';
import { randomBytes } from 'node:crypto';
import { HearthError } from '@hearth/errors';
import { decoyHash, PASSWORD_HASHING, PasswordService } from './password.service.js';

const refusal = (fn: () => unknown): HearthError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HearthError);
    return error as HearthError;
  }
  throw new Error('expected a refusal');
};

describe('PasswordService.checkPolicy', () => {
  const passwords = new PasswordService();

  it('accepts a long phrase of one’s own', () => {
    expect(passwords.checkPolicy('newPassword', 'Heron lantern quietly 41')).toBe('Heron lantern quietly 41');
  });

  it('refuses short, common (whatever the case) and email-based passwords, naming the field', () => {
    for (const [candidate, email] of [
      ['short-one', undefined],
      ['password1234', undefined],
      ['QWERTY123456', undefined],
      ['1qaz2wsx3edc', undefined],
      ['jo.bloggs@police.test!!', 'jo.bloggs@police.test'],
    ] as const) {
      const error = refusal(() => passwords.checkPolicy('newPassword', candidate, email));
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.field).toBe('newPassword');
    }
  });

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await passwords.hash('Heron lantern quietly 41');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await passwords.verify(hash, 'Heron lantern quietly 41')).toBe(true);
    expect(await passwords.verify(hash, 'Heron lantern quietly 42')).toBe(false);
    expect(await passwords.verify(undefined, 'hearth-decoy-password')).toBe(false);
  });

  it('checks a password for an unknown account against a decoy made like a stored hash, with a full argon2 run', async () => {
    const password = 'Heron lantern quietly 41';
    const stored = await passwords.hash(password);
    expect(await passwords.verify(stored, password)).toBe(true);
    // The same algorithm, version and cost, and a salt and tag of the same lengths: checking a
    // password against it costs what checking against a stored hash does.
    const decoy = decoyHash();
    expect(decoy.split('$').slice(0, 4)).toEqual(stored.split('$').slice(0, 4));
    expect(decoy.split('$').map((part) => part.length)).toEqual(stored.split('$').map((part) => part.length));
    expect(decoy).not.toBe(stored);
    // And it is really checked. Timing the two against each other inside a test worker measures its
    // garbage collector (each WebAssembly run leaves 19 MiB behind, and a collection of the worker's
    // heap costs from 50 to 600 ms); a floor does not: an argon2 run at this cost takes tens of
    // milliseconds, a decoy refused at once a few microseconds.
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      expect(await passwords.verify(undefined, password)).toBe(false);
      took.push(performance.now() - start);
    }
    expect(Math.min(...took)).toBeGreaterThan(5);
  });

  it('writes and reads the PHC strings of the WebAssembly build, whichever engine this Node runs', async () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    // Node 24.7 brought argon2 into node:crypto; from there Hearth hashes natively.
    expect(PASSWORD_HASHING).toBe(major > 24 || (major === 24 && minor >= 7) ? 'node' : 'webassembly');

    const ours = await passwords.hash('Heron lantern quietly 41');
    expect(ours).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await argon2Verify({ password: 'Heron lantern quietly 41', hash: ours })).toBe(true);

    const theirs = await argon2id({
      password: 'Heron lantern quietly 41',
      salt: randomBytes(16),
      parallelism: 1,
      iterations: 2,
      memorySize: 19_456,
      hashLength: 32,
      outputType: 'encoded',
    });
    expect(await passwords.verify(theirs, 'Heron lantern quietly 41')).toBe(true);
    expect(await passwords.verify(theirs, 'Heron lantern quietly 4')).toBe(false);
    // A stored hash Hearth cannot read (another algorithm, a damaged string) never matches.
    expect(await passwords.verify(theirs.replace('argon2id', 'argon2i'), 'Heron lantern quietly 41')).toBe(false);
    expect(await passwords.verify(theirs.slice(0, -4), 'Heron lantern quietly 41')).toBe(false);
  });
});
