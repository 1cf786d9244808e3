import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, graphql } from '@hearth/testing';
import { spawnHearth } from './support/process.js';
import { login } from './support/session.js';

jest.setTimeout(180_000);

/**
 * Fault drill: the embedded PostgreSQL is killed (SIGKILL) under a running Hearth. Readiness
 * turns 503, requests fail with a clean error (no internals), a clear line is logged, and Hearth
 * starts the database again and serves as before, its data intact.
 */
const ME = `{ me { id email } }`;
const INTERNALS = /ECONN|postgres|SQL|terminat|connection|at \/|\.ts:|\.js:/i;

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

describe('fault drill: the embedded database is killed under a running Hearth', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-drill-'));
  chmodSync(dataDir, 0o755); // reachable by the postgres user when the tests run as root
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reports not ready, fails requests cleanly, says so in one line, and recovers', async () => {
    const hearth = spawnHearth({ HEARTH_DATA_DIR: dataDir });
    // A failure says what Hearth printed: a refused connection alone does not say why.
    try {
      const url = await hearth.listening;
      const sam = await login(url, 'sam.social');
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      const first = postmasterPid(dataDir)!;

      process.kill(first, 'SIGKILL');
      // The killed postmaster's backends notice its death and leave within moments (until then a
      // pooled connection may still answer); Hearth waits a second before starting it again. In that
      // window readiness is 503 and every request that fails, fails cleanly.
      const down = () => !hearth.stdout().includes('the embedded database is running again');
      // On a loaded machine a pooled keep-alive connection of the test's HTTP client is now and then
      // reset at this moment; asking again on a fresh one is what any client does.
      const once = <T>(ask: () => Promise<T>) => ask().catch(() => ask());
      let notReady = false;
      let failed: Awaited<ReturnType<typeof graphql>> | undefined;
      await eventually(
        async () => {
          if (!down()) throw new Error('the database was running again before a request saw it down');
          const [ready, me] = await Promise.all([
            once(() => fetch(`${url}/health/ready`).then((res) => res.status)),
            once(() => graphql(url, { query: ME, token: sam.accessToken })),
          ]);
          notReady ||= ready === 503;
          if (me.errors !== undefined) failed ??= me;
          else expect(me.data).toMatchObject({ me: { id: sam.userId } });
          return notReady && failed !== undefined;
        },
        { what: 'readiness 503 and a failed request while the database is down', timeoutMs: 10_000 },
      );
      const me = failed!;
      expect(me.status).not.toBe(500);
      expect(me.data ?? null).toBeNull();
      expect(me.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(me.errors?.[0]?.message).toBe('Internal server error');
      expect(JSON.stringify(me)).not.toMatch(INTERNALS);

      await eventually(() => Promise.resolve(hearth.stdout().includes('the embedded database is running again')), {
        what: 'the database restarted',
        timeoutMs: 90_000,
      });
      expect(hearth.stdout()).toContain('the embedded database stopped unexpectedly (SIGKILL); starting it again');
      await eventually(async () => (await fetch(`${url}/health/ready`)).status === 200, {
        what: 'ready again',
        timeoutMs: 30_000,
      });
      // The pool reconnects by itself; sessions and data survived (the cluster is durable).
      await eventually(async () => (await graphql(url, { query: ME, token: sam.accessToken })).data != null, {
        what: 'requests served again',
        timeoutMs: 30_000,
      });
      expect(await login(url, 'sam.social')).toMatchObject({ userId: sam.userId });

      const second = postmasterPid(dataDir)!;
      expect(second).not.toBe(first);
      hearth.child.kill('SIGTERM');
      expect(await hearth.exited).toBe(0);
      expect(alive(second)).toBe(false);
    } catch (error) {
      const tail = (text: string) => text.split('\n').slice(-40).join('\n');
      throw new Error(
        `${String(error)}\n--- Hearth stdout\n${tail(hearth.stdout())}\n--- Hearth stderr\n${tail(hearth.stderr())}`,
        {
          cause: error,
        },
      );
    }
  });
});
