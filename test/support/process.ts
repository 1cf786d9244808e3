import { afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Every process a test starts and has not seen exit. Whatever a test did or failed to do, the
 * file's processes are stopped when it ends: SIGTERM (Hearth then stops its PostgreSQL), and
 * SIGKILL for one still there after 30 seconds (its own shutdown deadline is 25).
 */
const running = new Set<ChildProcess>();
afterAll(async () => {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }),
  );
});

/** Hearth as compiled by the test run's global setup, started as its own process. */
export const COMPILED_MAIN = fileURLToPath(new URL('../../.test-build/apps/api/src/main.js', import.meta.url));

/** A compiled entry point of the test build, e.g. `apps/worker/src/main.js`. */
export function compiled(path: string): string {
  return fileURLToPath(new URL(`../../.test-build/${path}`, import.meta.url));
}

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

export interface HearthProcess extends NodeProcess {
  /** Resolves with the base URL once Hearth logs that it listens. */
  readonly listening: Promise<string>;
}

/** Runs a compiled script with only the given environment (and PATH). */
export function spawnNode(script: string, env: Record<string, string>, cwd?: string): NodeProcess {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves once the process has written `text` to stdout; rejects if it exits first. */
export function printed(node: NodeProcess, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (node.stdout().includes(text)) {
        node.child.stdout?.off('data', check);
        resolve();
      }
    };
    node.child.stdout?.on('data', check);
    check();
    void node.exited.then((code) => reject(new Error(`exited with ${code} before printing ${text}: ${node.stderr()}`)));
  });
}

export function spawnHearth(env: Record<string, string>, cwd?: string): HearthProcess {
  const node = spawnNode(COMPILED_MAIN, { PORT: '0', ...env }, cwd);
  const listening = new Promise<string>((resolve, reject) => {
    node.child.stdout?.on('data', () => {
      const match = /"msg":"Hearth is listening on (http:\/\/[^"]+)"/.exec(node.stdout());
      if (match?.[1]) resolve(match[1]);
    });
    void node.exited.then((code) => reject(new Error(`Hearth exited with ${code}: ${node.stderr()}`)));
  });
  listening.catch(() => undefined);
  return { ...node, listening };
}
