import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { createTestDataSource, eventually, sealAll, type TestDataSource } from '@hearth/testing';
import { AuditAction } from './audit-action.js';
import { AuditLog } from './audit-log.service.js';
import { AuditSealer } from './audit-sealer.service.js';
import { AuditVerifier } from './audit-verifier.service.js';

const auditLog = new AuditLog();
const actor = { userId: randomUUID(), agencyId: randomUUID(), roles: ['PRACTITIONER'] };
const fixedClock = { now: () => new Date('2026-03-01T12:00:00.000Z') };

async function write(dataSource: DataSource, reason: string): Promise<string> {
  const { id } = await dataSource.transaction((m) => auditLog.record(m, { action: AuditAction.READ, actor, reason }));
  return id;
}

/** A transaction left open after writing an entry, as a slow request would. */
async function openWriter(dataSource: DataSource, reason: string): Promise<{ id: string; runner: QueryRunner }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  await runner.startTransaction();
  const { id } = await auditLog.record(runner.manager, { action: AuditAction.READ, actor, reason });
  return { id, runner };
}

async function finish(runner: QueryRunner): Promise<void> {
  await runner.commitTransaction();
  await runner.release();
}

async function positions(dataSource: DataSource): Promise<Map<string, number>> {
  const rows = await dataSource.query<Array<{ entry_id: string; position: number }>>(
    `SELECT entry_id, position FROM audit_seals`,
  );
  return new Map(rows.map((r) => [r.entry_id, r.position]));
}

describe('AuditSealer', () => {
  let db: TestDataSource;
  let sealer: AuditSealer;
  beforeAll(async () => {
    db = await createTestDataSource();
    sealer = new AuditSealer(db.dataSource, fixedClock, { batchSize: 3 });
  });
  afterAll(() => db.close());

  it('chains settled entries with gapless positions, a checkpoint per batch, as documented', async () => {
    for (let i = 0; i < 7; i++) await write(db.dataSource, `entry ${i}`);
    expect(await sealAll(sealer, db.dataSource)).toBe(7);
    expect(await sealer.sealOnce()).toBe(0);

    const seals = await db.dataSource.query<Array<Record<string, string | number | Date>>>(`
      SELECT s.position, s.prev_hash, s.hash, s.sealed_at, e.id::text, e.txid::text,
             to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, e.actor_id::text,
             e.actor_agency_id::text, e.actor_roles::text, e.action::text, e.outcome::text, e.subject_type, e.subject_id,
             e.family_id::text, e.person_id::text, e.reason, e.detail::text, e.request_id, e.client_address, e.user_agent
        FROM audit_seals s JOIN audit_entries e ON e.id = s.entry_id ORDER BY s.position`);
    expect(seals.map((s) => s['position'])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The format of libs/audit/README.md, recomputed independently.
    let prev = '0'.repeat(64);
    for (const s of seals) {
      const canonical = JSON.stringify([
        'hearth-audit-v1',
        ...[
          'id',
          'at',
          'actor_id',
          'actor_agency_id',
          'actor_roles',
          'action',
          'outcome',
          'subject_type',
          'subject_id',
        ].map((k) => s[k]),
        ...['family_id', 'person_id', 'reason', 'detail', 'request_id', 'client_address', 'user_agent', 'txid'].map(
          (k) => s[k],
        ),
      ]);
      expect(s['prev_hash']).toBe(prev);
      expect(s['hash']).toBe(
        createHash('sha256')
          .update(prev + canonical)
          .digest('hex'),
      );
      expect(s['sealed_at']).toEqual(fixedClock.now());
      prev = String(s['hash']);
    }
    // A checkpoint per batch of at most 3 (more batches when the horizon held some entries back).
    const checkpoints = await db.dataSource.query<Array<{ position: number; head_hash: string }>>(
      `SELECT position, head_hash FROM audit_checkpoints ORDER BY position`,
    );
    let last = 0;
    for (const checkpoint of checkpoints) {
      expect(checkpoint.position - last).toBeLessThanOrEqual(3);
      expect(checkpoint.head_hash).toBe(seals[checkpoint.position - 1]?.['hash']);
      last = checkpoint.position;
    }
    expect(last).toBe(7);
  });

  it('waits for an open transaction, then seals in transaction order, not commit order', async () => {
    const before = await write(db.dataSource, 'committed before');
    const slow = await openWriter(db.dataSource, 'slow');
    const quick = await write(db.dataSource, 'committed while slow is open');
    await eventually(
      async () => {
        await sealer.sealOnce();
        return (await positions(db.dataSource)).has(before);
      },
      { what: 'sealing what settled before the slow transaction' },
    );
    // The slow transaction holds the horizon: what committed after it began waits.
    expect(await sealer.sealOnce()).toBe(0);
    expect((await positions(db.dataSource)).has(quick)).toBe(false);

    await finish(slow.runner);
    await sealAll(sealer, db.dataSource);
    const sealed = await positions(db.dataSource);
    expect(sealed.get(slow.id)).toBe(sealed.get(before)! + 1);
    expect(sealed.get(quick)).toBe(sealed.get(slow.id)! + 1);
  });

  it('leaves the entries of a rolled-back transaction out of the chain', async () => {
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const { id } = await auditLog.record(runner.manager, { action: AuditAction.READ, actor });
    await runner.rollbackTransaction();
    await runner.release();
    const after = await write(db.dataSource, 'after the rollback');
    await sealAll(sealer, db.dataSource);
    const sealed = await positions(db.dataSource);
    expect(sealed.has(id)).toBe(false);
    expect(sealed.has(after)).toBe(true);
  });

  it('skips its turn while another sealer holds the lock', async () => {
    await write(db.dataSource, 'waiting');
    const other = db.dataSource.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query(`SELECT pg_advisory_xact_lock(hashtextextended('hearth.audit.sealer', 0))`);
    expect(await sealer.sealOnce()).toBe(0);
    await other.commitTransaction();
    await other.release();
    expect(await sealAll(sealer, db.dataSource)).toBe(1);
  });

  it('runs as a loop until stopped, finishing the round in progress', async () => {
    const looping = new AuditSealer(db.dataSource, fixedClock, { intervalMs: 10 });
    looping.start();
    const id = await write(db.dataSource, 'sealed by the loop');
    await eventually(async () => (await positions(db.dataSource)).has(id), { what: 'the loop sealing' });
    await looping.stop();
    expect(looping.running).toBe(false);
  });

  it('verifies the chain it built', async () => {
    const report = await new AuditVerifier(db.dataSource).verify();
    expect(report).toMatchObject({ verified: true, unsealed: 0, firstBrokenEntryId: null, problem: null });
    const [head] = await db.dataSource.query<Array<{ position: number; hash: string }>>(
      `SELECT position, hash FROM audit_seals ORDER BY position DESC LIMIT 1`,
    );
    expect(report.entries).toBe(head?.position);
    expect(report.headHash).toBe(head?.hash);
    expect(report.sealedThrough).toBeInstanceOf(Date);
  });
});

describe('under 8 concurrent writers and two sealers', () => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await createTestDataSource(9);
  });
  afterAll(() => db.close());

  it('seals every entry exactly once, gapless, in (txid, id) order, and the chain verifies', async () => {
    // Two sealers, each on its own pool, as two worker processes would be.
    const sealers = [new AuditSealer(await db.connect(2)), new AuditSealer(await db.connect(2))];
    const until = Date.now() + 3000;
    const written: string[] = [];
    // What the loops wait for, instead of sleeping: an entry written or committed, a sealer's pass.
    let passes = 0;
    let commits = 0;
    let writing = 8;
    const waiting = new Set<() => void>();
    const changed = () => {
      for (const wake of [...waiting]) wake();
    };
    const when = (done: () => boolean) =>
      done()
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const wake = () => {
              if (!done()) return;
              waiting.delete(wake);
              resolve();
            };
            waiting.add(wake);
          });

    const writer = async (n: number): Promise<void> => {
      try {
        await writes(n);
      } finally {
        writing--;
        changed();
      }
    };
    const writes = async (n: number): Promise<void> => {
      for (let i = 0; Date.now() < until; i++) {
        const slow = i % 7 === n % 7; // now and then a transaction that stays open over a sealer's pass
        await db.dataSource.transaction(async (m) => {
          const count = 1 + ((i + n) % 3);
          for (let k = 0; k < count; k++) {
            const { id } = await auditLog.record(m, {
              action: AuditAction.READ,
              actor,
              reason: `writer ${n} #${i}.${k}`,
            });
            written.push(id);
            changed();
            if (slow) {
              const seen = passes;
              await when(() => passes > seen);
            }
          }
        });
        commits++;
        changed();
      }
    };
    let sealedDuringRun = 0;
    const sealing = async (sealer: AuditSealer): Promise<void> => {
      while (writing > 0) {
        const [before, committedBefore] = [written.length, commits];
        const sealed = await sealer.sealOnce();
        sealedDuringRun += sealed;
        passes++;
        changed();
        // Nothing to seal, and nothing written or committed since the pass began: wait for it.
        if (sealed === 0) await when(() => written.length > before || commits > committedBefore || writing === 0);
      }
    };
    await Promise.all([...Array.from({ length: 8 }, (_, n) => writer(n)), ...sealers.map(sealing)]);
    const afterRun = await sealAll(sealers[0]!, db.dataSource);

    const [counts] = await db.dataSource.query<
      Array<{ entries: number; seals: number; max: number; distinct: number }>
    >(`
      SELECT (SELECT count(*) FROM audit_entries) AS entries, (SELECT count(*) FROM audit_seals) AS seals,
             (SELECT max(position) FROM audit_seals) AS max, (SELECT count(DISTINCT entry_id) FROM audit_seals) AS distinct`);
    expect(counts).toEqual({
      entries: written.length,
      seals: written.length,
      max: written.length,
      distinct: written.length,
    });
    expect(sealedDuringRun + afterRun).toBe(written.length);
    expect(sealedDuringRun).toBeGreaterThan(written.length / 2); // sealing kept up while writers ran

    // Chain order is (txid, id) order: the sealer never had to go back.
    const [order] = await db.dataSource.query<Array<{ out_of_order: number }>>(`
      SELECT count(*) AS out_of_order FROM (
        SELECT s.position, row_number() OVER (ORDER BY e.txid, e.id) AS expected
          FROM audit_seals s JOIN audit_entries e ON e.id = s.entry_id) o
       WHERE o.position <> o.expected`);
    expect(order?.out_of_order).toBe(0);
    const report = await new AuditVerifier(db.dataSource).verify();
    expect(report).toMatchObject({ verified: true, entries: written.length, unsealed: 0 });
  });
});

describe('AuditVerifier on a tampered trail', () => {
  let db: TestDataSource;
  let ids: string[];
  beforeEach(async () => {
    db = await createTestDataSource(2);
    ids = [];
    for (let i = 0; i < 6; i++) ids.push(await write(db.dataSource, `entry ${i}`));
    await sealAll(new AuditSealer(db.dataSource, fixedClock, { batchSize: 2 }), db.dataSource);
    expect((await new AuditVerifier(db.dataSource).verify()).verified).toBe(true);
  });
  afterEach(() => db.close());

  /** What someone with the table owner's rights could do behind Hearth's back. */
  async function behindTheBack(table: string, statement: string, params: unknown[] = []): Promise<void> {
    await db.dataSource.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
    await db.dataSource.query(statement, params);
    await db.dataSource.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
  }

  async function sealedAt(position: number): Promise<string> {
    const [row] = await db.dataSource.query<Array<{ entry_id: string }>>(
      `SELECT entry_id FROM audit_seals WHERE position = $1`,
      [position],
    );
    return row!.entry_id;
  }

  it('names an edited entry', async () => {
    const victim = await sealedAt(3);
    await behindTheBack('audit_entries', `UPDATE audit_entries SET reason = 'nothing to see' WHERE id = $1`, [victim]);
    const report = await new AuditVerifier(db.dataSource).verify();
    expect(report).toMatchObject({ verified: false, firstBrokenEntryId: victim, entries: 6 });
    expect(report.problem).toMatch(/does not match its seal at position 3/);
  });

  it('names a deleted entry', async () => {
    const victim = await sealedAt(4);
    await behindTheBack('audit_entries', `DELETE FROM audit_entries WHERE id = $1`, [victim]);
    expect(await new AuditVerifier(db.dataSource).verify()).toMatchObject({
      verified: false,
      firstBrokenEntryId: victim,
      problem: expect.stringMatching(/is missing/),
    });
  });

  it('notices a seal removed from the middle, or rewritten', async () => {
    await behindTheBack('audit_seals', `DELETE FROM audit_seals WHERE position = 2`);
    expect(await new AuditVerifier(db.dataSource).verify()).toMatchObject({
      verified: false,
      firstBrokenEntryId: await sealedAt(3),
      problem: expect.stringMatching(/skips from position 1 to 3/),
    });
  });

  it('notices a seal whose hash was recomputed to hide an edit', async () => {
    const victim = await sealedAt(5);
    await behindTheBack('audit_entries', `UPDATE audit_entries SET reason = 'rewritten' WHERE id = $1`, [victim]);
    // Re-hash the edited entry's seal (the next seal's prev_hash still names the old hash).
    await behindTheBack('audit_seals', `UPDATE audit_seals SET hash = repeat('a', 64) WHERE position = 5`);
    const report = await new AuditVerifier(db.dataSource).verify();
    expect(report).toMatchObject({ verified: false, firstBrokenEntryId: victim });
  });

  it('notices the end of the chain cut off, through the checkpoints', async () => {
    const last = await sealedAt(6);
    await behindTheBack('audit_seals', `DELETE FROM audit_seals WHERE position = 6`);
    await behindTheBack('audit_entries', `DELETE FROM audit_entries WHERE id = $1`, [last]);
    expect(await new AuditVerifier(db.dataSource).verify()).toMatchObject({
      verified: false,
      entries: 5,
      problem: expect.stringMatching(/checkpoint records position 6, beyond the end of the chain at 5/),
    });
  });

  it('notices an entry slipped in behind the head with a forged transaction id', async () => {
    await db.dataSource.query(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_stamp`);
    const [forged] = await db.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO audit_entries (action, reason, txid) VALUES ('LOGIN', 'backdated', '3') RETURNING id`,
    );
    await db.dataSource.query(`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_stamp`);
    expect(await new AuditVerifier(db.dataSource).verify()).toMatchObject({
      verified: false,
      firstBrokenEntryId: forged?.id,
    });
  });
});

describe('AuditVerifier over many entries', () => {
  let db: TestDataSource;
  beforeAll(async () => {
    db = await createTestDataSource(2);
  });
  afterAll(() => db.close());

  it('streams the chain in batches', async () => {
    await db.dataSource.query(
      `INSERT INTO audit_entries (action, actor_id, subject_type, subject_id, detail)
       SELECT 'READ', $1, 'TimelineEvent', g::text, jsonb_build_object('ids', jsonb_build_array(gen_random_uuid()))
         FROM generate_series(1, 12000) g`,
      [actor.userId],
    );
    expect(await sealAll(new AuditSealer(db.dataSource), db.dataSource)).toBe(12000);
    expect(await new AuditVerifier(db.dataSource).verify()).toMatchObject({ verified: true, entries: 12000 });
  });
});
