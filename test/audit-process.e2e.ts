import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '@hearth/testing';
import { compiled, printed, spawnNode } from './support/process.js';

// Each test starts real processes (and PostgreSQL): on a busy 2-core machine that takes a while.
jest.setTimeout(180_000);

const WORKER = compiled('apps/worker/src/main.js');
const VERIFY = compiled('apps/api/src/cli/audit-verify.js');

describe('the worker and audit:verify as processes', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let dataDir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'hearth-worker-'));
    env = { DATABASE_URL: database.url, HEARTH_DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'info' };
    // Production wants real keys; these processes never sign anything, so any valid pair will do.
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    env['HEARTH_JWT_PRIVATE_KEY'] = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    env['HEARTH_JWT_PUBLIC_KEY'] = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  });
  afterAll(async () => {
    await db.end();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function sealed(): Promise<number> {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_seals`);
    return rows[0]?.n ?? 0;
  }

  it('two workers seal the trail together and stop cleanly on SIGTERM', async () => {
    await db.query(
      `INSERT INTO audit_entries (action, reason) SELECT 'LOGIN', 'entry ' || g FROM generate_series(1, 50) g`,
    );
    const workers = [spawnNode(WORKER, env), spawnNode(WORKER, env)];
    await Promise.all(workers.map((worker) => printed(worker, 'Hearth worker is running')));
    await eventually(async () => (await sealed()) === 50, { what: 'the workers sealing 50 entries' });
    await db.query(`INSERT INTO audit_entries (action) VALUES ('LOGOUT')`);
    await eventually(async () => (await sealed()) === 51, { what: 'the workers sealing one more' });

    for (const worker of workers) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    for (const worker of workers) expect(worker.stderr()).toBe('');
  });

  it('audit:verify prints the verdict, and exits 2 when someone edited a sealed entry', async () => {
    const good = spawnNode(VERIFY, env);
    expect(await good.exited).toBe(0);
    expect(JSON.parse(good.stdout())).toMatchObject({ verified: true, entries: 51, firstBrokenEntryId: null });

    const { rows } = await db.query<{ entry_id: string }>(`SELECT entry_id FROM audit_seals WHERE position = 7`);
    const victim = rows[0]!.entry_id;
    await db.query(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`);
    await db.query(`UPDATE audit_entries SET action = 'LOGOUT' WHERE id = $1`, [victim]);
    await db.query(`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only`);

    const bad = spawnNode(VERIFY, env);
    expect(await bad.exited).toBe(2);
    expect(JSON.parse(bad.stdout())).toMatchObject({ verified: false, firstBrokenEntryId: victim });
    expect(bad.stderr()).toMatch(
      /^hearth: the audit trail does not verify: entry .* does not match its seal at position 7\n$/,
    );
  });
});
