import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiled } from './support/process.js';

/**
 * Without configured keys, Hearth makes development signing keys in its data directory. An API and
 * its worker started together on a fresh directory must end with one key pair between them: each
 * made its own before, and one could read the other's private key beside its own public key and
 * refuse to start ("HEARTH_JWT_PUBLIC_KEY does not match HEARTH_JWT_PRIVATE_KEY").
 */
const folder = mkdtempSync(join(tmpdir(), 'hearth-keys-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A process that loads the configuration on `dataDir`; what it printed, and how it exited. */
function loadIn(dataDir: string, startAt: number): Promise<{ code: number | null; out: string }> {
  const config = pathToFileURL(compiled('libs/config/src/index.js')).href;
  // Loaded, each waits for the same moment: they look at the directory together, as an API and a
  // worker started at once may.
  const script = `import { loadConfig } from ${JSON.stringify(config)};
    while (Date.now() < ${startAt});
    try { process.stdout.write(loadConfig({ HEARTH_DATA_DIR: ${JSON.stringify(dataDir)} }).auth.keys.publicKeyPem); }
    catch (error) { process.stdout.write('failed: ' + error.message); process.exitCode = 1; }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

describe('development signing keys', () => {
  it('are one pair for processes starting together on a fresh data directory', async () => {
    for (let round = 0; round < 3; round++) {
      const dataDir = join(folder, `round-${round}`);
      const startAt = Date.now() + 2000;
      const runs = await Promise.all(Array.from({ length: 6 }, () => loadIn(dataDir, startAt)));
      for (const run of runs) expect(run).toMatchObject({ code: 0, out: expect.stringContaining('PUBLIC KEY') });
      expect(new Set(runs.map((run) => run.out)).size).toBe(1);
      // The pair on disk is the one they use, and nothing half-made is left beside it.
      const keys = join(dataDir, 'keys');
      const derived = createPublicKey(readFileSync(join(keys, 'jwt-ed25519.key'), 'utf8')).export({
        type: 'spki',
        format: 'pem',
      });
      expect(runs[0]!.out).toBe(derived);
      expect(readFileSync(join(keys, 'jwt-ed25519.pub'), 'utf8')).toBe(derived);
      expect(readdirSync(keys).sort()).toEqual(['jwt-ed25519.key', 'jwt-ed25519.pub']);
    }
  }, 60_000);
});
