import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';
import { badInput, validate } from '@hearth/errors';
import { z } from 'zod';
import { COMMON_PASSWORDS } from './common-passwords.data.js';
import { password as passwordRule } from './identity.inputs.js';

/**
 * argon2id with OWASP's settings (19 MiB, 2 passes, 1 lane), stored in its PHC string form. The
 * WebAssembly build runs the same everywhere Node runs: no native addon to compile or to crash.
 */
const PARAMETERS = { parallelism: 1, iterations: 2, memorySize: 19_456, hashLength: 32 } as const;

let common: ReadonlySet<string> | undefined;
const commonPasswords = (): ReadonlySet<string> => (common ??= new Set(COMMON_PASSWORDS.split('\n')));

@Injectable()
export class PasswordService {
  /** Verified against when the email is unknown, so both failures take the same time. */
  private readonly decoy = this.hash('hearth-decoy-password');

  hash(password: string): Promise<string> {
    return argon2id({ password, salt: randomBytes(16), ...PARAMETERS, outputType: 'encoded' });
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    try {
      const ok = await argon2Verify({ password, hash: hash ?? (await this.decoy) });
      return ok && hash !== undefined;
    } catch {
      return false;
    }
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
