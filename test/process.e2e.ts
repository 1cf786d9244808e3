import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnHearth } from './support/process.js';

// Each test starts real processes (and PostgreSQL): on a busy 2-core machine that takes a while.
jest.setTimeout(180_000);

const folders: string[] = [];
function folder(mode = 0o755): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-proc-'));
  chmodSync(dir, mode);
  folders.push(dir);
  return dir;
}

function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ready(url: string): Promise<number> {
  return (await fetch(`${url}/health/ready`)).status;
}

afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

describe('hearth as a process', () => {
  it('exits with one readable line when the database cannot be reached', async () => {
    const hearth = spawnHearth({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x', HEARTH_DATA_DIR: folder() });
    expect(await hearth.exited).toBe(1);
    const lines = hearth.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hearth: cannot reach the database at 127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
  });

  it('exits with one readable line naming a bad variable', async () => {
    const hearth = spawnHearth({ PORT: 'http', HEARTH_DATA_DIR: folder() });
    expect(await hearth.exited).toBe(1);
    expect(hearth.stderr()).toBe('hearth: configuration error: PORT must be an integer from 0 to 65535 (got "http")\n');
  });

  it('runs on an embedded database, reuses it on the next start, and leaves no postgres behind', async () => {
    const dataDir = folder();
    const first = spawnHearth({ HEARTH_DATA_DIR: dataDir });
    const url = await first.listening;
    expect(await ready(url)).toBe(200);
    const pid = postmasterPid(dataDir);
    expect(pid && alive(pid)).toBeTruthy();
    const versionFile = statSync(join(dataDir, 'postgres', 'PG_VERSION'));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(alive(pid!)).toBe(false);

    const second = spawnHearth({ HEARTH_DATA_DIR: dataDir });
    const url2 = await second.listening;
    expect(await ready(url2)).toBe(200);
    // The cluster was reused, not initialised again.
    expect(statSync(join(dataDir, 'postgres', 'PG_VERSION')).mtimeMs).toBe(versionFile.mtimeMs);
    const pid2 = postmasterPid(dataDir)!;
    second.child.kill('SIGINT'); // what Ctrl-C sends
    expect(await second.exited).toBe(0);
    expect(alive(pid2)).toBe(false);
  });

  it('stops the postgres a killed Hearth left behind before starting again', async () => {
    const dataDir = folder();
    const first = spawnHearth({ HEARTH_DATA_DIR: dataDir });
    await first.listening;
    const orphan = postmasterPid(dataDir)!;
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(orphan)).toBe(true);

    const second = spawnHearth({ HEARTH_DATA_DIR: dataDir });
    expect(await ready(await second.listening)).toBe(200);
    expect(alive(orphan)).toBe(false);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('refuses a data directory another running Hearth owns', async () => {
    const dataDir = folder();
    const first = spawnHearth({ HEARTH_DATA_DIR: dataDir });
    await first.listening;
    const second = spawnHearth({ HEARTH_DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(/^hearth: the embedded database in .* is already in use by another process/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  const root = process.getuid?.() === 0;
  describe(root ? 'as root, from a private folder' : 'as an ordinary user, from a private folder', () => {
    it('starts from a checkout only its owner can enter', async () => {
      // As root, PostgreSQL runs as the postgres user, who cannot enter a 0700 folder: the default
      // data directory moves somewhere reachable. As an ordinary user nothing needs to move.
      const home = folder(0o700);
      const hearth = spawnHearth({}, home);
      expect(await ready(await hearth.listening)).toBe(200);
      if (root) expect(hearth.stdout()).toContain('is not reachable by the');
      else expect(existsSync(join(home, '.data', 'postgres', 'PG_VERSION'))).toBe(true);
      hearth.child.kill('SIGTERM');
      expect(await hearth.exited).toBe(0);
      if (root) {
        const key = createHash('sha256').update(join(home, '.data')).digest('hex').slice(0, 12);
        rmSync(join('/var/lib/hearth', key), { recursive: true, force: true });
      }
    });

    it('names an explicit data directory PostgreSQL cannot use, in one line', async () => {
      const home = folder(0o700);
      const hearth = spawnHearth({ HEARTH_DATA_DIR: join(home, 'data') });
      if (root) {
        expect(await hearth.exited).toBe(1);
        expect(hearth.stderr()).toMatch(
          /^hearth: HEARTH_DATA_DIR .* is not reachable by the 'postgres' system user.*\n$/,
        );
      } else {
        expect(await ready(await hearth.listening)).toBe(200);
        hearth.child.kill('SIGTERM');
        expect(await hearth.exited).toBe(0);
      }
    });
  });
});
