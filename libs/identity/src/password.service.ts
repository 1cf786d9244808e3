import { Injectable } from '@nestjs/common';
import * as crypto from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';
import { badInput, validate } from '@hearth/errors';
import { z } from 'zod';
import { COMMON_PASSWORDS } from './common-passwords.data.js';
import { password as passwordRule } from './identity.inputs.js';

/**
 * argon2id with OWASP's settings (19 MiB, 2 passes, 1 lane), stored in its PHC string form.
 */
const PARAMETERS = { parallelism: 1, iterations: 2, memorySize: 19_456, hashLength: 32 } as const;
const PHC = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,64})\$([A-Za-z0-9+/]{22,128})$/;

interface NativeArgon2Parameters {
  message: string;
  nonce: Buffer;
  parallelism: number;
  tagLength: number;
  memory: number;
  passes: number;
}
type NativeArgon2 = (
  algorithm: 'argon2id',
  parameters: NativeArgon2Parameters,
  callback: (error: Error | null, tag: Buffer) => void,
) => void;

/**
 * Node's own argon2 (Node.js 24.7 and later): native, on libuv's thread pool, so a sign-in neither
 * blocks the event loop nor costs a core what the WebAssembly build does (about a quarter of its
 * CPU). On older Node the WebAssembly build (hash-wasm) runs the same algorithm on the main thread.
 * Both read and write the same PHC strings, so a hash made by one verifies with the other.
 */
const native = (crypto as unknown as { argon2?: NativeArgon2 }).argon2;
export const PASSWORD_HASHING: 'node' | 'webassembly' = native ? 'node' : 'webassembly';

function nativeTag(password: string, salt: Buffer, memory: number, passes: number, lanes: number, length: number) {
  return new Promise<Buffer>((resolve, reject) =>
    native!(
      'argon2id',
      { message: password, nonce: salt, parallelism: lanes, tagLength: length, memory, passes },
      (error, tag) => (error ? reject(error) : resolve(tag)),
    ),
  );
}

const unpadded = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

let common: ReadonlySet<string> | undefined;
const commonPasswords = (): ReadonlySet<string> => (common ??= new Set(COMMON_PASSWORDS.split('\n')));

/**
 * Verified against when the email is unknown, so both failures take the same time. Checking a
 * password costs the same whatever the stored tag, so the decoy is the stored parameters with a
 * random salt and a random tag (no password gives it): no argon2 run at every start.
 */
export const decoyHash = (): string => phc(crypto.randomBytes(16), crypto.randomBytes(PARAMETERS.hashLength));

/** The PHC string of a hash made with PARAMETERS. */
function phc(salt: Buffer, tag: Buffer): string {
  const { memorySize: m, iterations: t, parallelism: p } = PARAMETERS;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${unpadded(salt)}$${unpadded(tag)}`;
}

@Injectable()
export class PasswordService {
  private readonly decoy = decoyHash();

  async hash(password: string): Promise<string> {
    const salt = crypto.randomBytes(16);
    if (!native) return argon2id({ password, salt, ...PARAMETERS, outputType: 'encoded' });
    const { memorySize: m, iterations: t, parallelism: p, hashLength } = PARAMETERS;
    return phc(salt, await nativeTag(password, salt, m, t, p, hashLength));
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    try {
      const ok = await this.matches(hash ?? this.decoy, password);
      return ok && hash !== undefined;
    } catch {
      return false;
    }
  }

  private async matches(hash: string, password: string): Promise<boolean> {
    if (!native) return argon2Verify({ password, hash });
    const phc = PHC.exec(hash);
    if (!phc) return false;
    const [, m, t, p, salt, stored] = phc;
    const expected = Buffer.from(stored!, 'base64');
    const tag = await nativeTag(
      password,
      Buffer.from(salt!, 'base64'),
      Number(m),
      Number(t),
      Number(p),
      expected.length,
    );
    return crypto.timingSafeEqual(tag, expected);
  }

  /**
   * A password someone chooses: long enough (NIST SP 800-63B: length, not composition rules), not
   * on the bundled list of common and breached passwords, and not the account's own email.
   */
  checkPolicy(field: string, password: string, email?: string): string {
    const checked = validate(z.strictObject({ [field]: passwordRule }), { [field]: password })[field]!;
    const lower = checked.toLowerCase();
    if (commonPasswords().has(lower) || (email !== undefined && lower.includes(email.toLowerCase()))) {
      throw badInput(field, 'is too common or too easy to guess; choose a longer phrase of your own');
    }
    return checked;
  }
}
