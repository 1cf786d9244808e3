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

interface Loader {
  /** Resolves once the process has loaded the configuration module and waits for `go`. */
  readonly ready: Promise<void>;
  go(): void;
  /** What it printed after `go`, and how it exited. */
  readonly done: Promise<{ code: number | null; out: string }>;
}

/** A process that loads the configuration on `dataDir` when told to go. */
function loader(dataDir: string): Loader {
  const config = pathToFileURL(compiled('libs/config/src/index.js')).href;
  const script = `import { loadConfig } from ${JSON.stringify(config)};
    process.stdout.write('ready\\n');
    process.stdin.once('data', () => {
      try { process.stdout.write(loadConfig({ HEARTH_DATA_DIR: ${JSON.stringify(dataDir)} }).auth.keys.publicKeyPem); }
      catch (error) { process.stdout.write('failed: ' + error.message); process.exitCode = 1; }
      process.stdin.destroy();
    });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) signalReady();
  });
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out: out.replace(/^ready\n/, '') })),
  );
  return { ready, go: () => child.stdin.write('go\n'), done };
}

describe('development signing keys', () => {
  it('are one pair for processes starting together on a fresh data directory', async () => {
    for (let round = 0; round < 3; round++) {
      const dataDir = join(folder, `round-${round}`);
      // Each loads the module, then all look at the directory together, as an API and a worker
      // started at once may.
      const loaders = Array.from({ length: 6 }, () => loader(dataDir));
      await Promise.all(loaders.map((l) => l.ready));
      for (const l of loaders) l.go();
      const runs = await Promise.all(loaders.map((l) => l.done));
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
