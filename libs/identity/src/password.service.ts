import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';

/**
 * argon2id with OWASP's settings (19 MiB, 2 passes, 1 lane), stored in its PHC string form. The
 * WebAssembly build runs the same everywhere Node runs: no native addon to compile or to crash.
 */
const PARAMETERS = { parallelism: 1, iterations: 2, memorySize: 19_456, hashLength: 32 } as const;

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
}
