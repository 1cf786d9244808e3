// Jest loads its global setup outside its module system, so this file is plain ESM: it compiles
// Hearth once with swc (about a second) and starts the run's PostgreSQL from the compiled code.
// The template every test file clones holds the migrations and the demo partnership.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const compiledDir = `${root}.test-build`;

export default async function globalSetup() {
  rmSync(compiledDir, { recursive: true, force: true });
  execFileSync(
    `${root}node_modules/.bin/swc`,
    ['apps', 'libs', '-d', compiledDir, '--quiet', '--ignore', '**/*.spec.ts,apps/web/**'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  const { startTestServer } = await import(`${compiledDir}/libs/testing/src/test-server.js`);
  globalThis.hearthTestServer = await startTestServer({
    // Seeding boots Nest; it runs in a child process so that this process (which runs the tests
    // itself when there is only one file) never holds a second copy of the framework.
    prepareTemplate: async (templateUrl) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'hearth-seed-'));
      try {
        execFileSync(process.execPath, [`${compiledDir}/apps/api/src/cli/seed-demo.js`], {
          env: {
            PATH: process.env.PATH,
            NODE_ENV: 'test',
            LOG_LEVEL: 'warn',
            HEARTH_DATA_DIR: dataDir,
            DATABASE_URL: templateUrl,
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  });
}
