import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Hearth as compiled by the test run's global setup, started as its own process. */
export const COMPILED_MAIN = fileURLToPath(new URL('../../.test-build/apps/api/src/main.js', import.meta.url));

export interface HearthProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the base URL once Hearth logs that it listens. */
  readonly listening: Promise<string>;
  readonly exited: Promise<number | null>;
}

export function spawnHearth(env: Record<string, string>, cwd?: string): HearthProcess {
  const child = spawn(process.execPath, [COMPILED_MAIN], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', LOG_FORMAT: 'json', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"msg":"Hearth is listening on (http:\/\/[^"]+)"/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`Hearth exited with ${code}: ${err}`)));
  });
  listening.catch(() => undefined);
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stdout: () => out, stderr: () => err, listening, exited };
}
