// Jest loads its global setup outside its module system, so this file is plain ESM: it compiles
// Hearth once with swc (about a second) and starts the run's PostgreSQL from the compiled code.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const compiledDir = `${root}.test-build`;

export default async function globalSetup() {
  rmSync(compiledDir, { recursive: true, force: true });
  execFileSync(
    `${root}node_modules/.bin/swc`,
    ['apps', 'libs', '-d', compiledDir, '--quiet', '--ignore', '**/*.spec.ts'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const { startTestServer } = await import(`${compiledDir}/libs/testing/src/test-server.js`);
  globalThis.hearthTestServer = await startTestServer();
}
