import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDataSource, sealAll, type TestDataSource } from '@hearth/testing';
import { AuditAction } from './audit-action.js';
import { AuditLog } from './audit-log.service.js';
import { AuditSealer } from './audit-sealer.service.js';

let db: TestDataSource;
beforeAll(async () => {
  db = await createTestDataSource();
  const auditLog = new AuditLog();
  await db.dataSource.transaction((m) => auditLog.record(m, { action: AuditAction.LOGIN, actor: null }));
  await sealAll(new AuditSealer(db.dataSource), db.dataSource);
});
afterAll(() => db.close());

const sql = (query: string): Promise<unknown> => db.dataSource.query(query);

describe('the audit tables are append-only in the database', () => {
  it.each([
    `UPDATE audit_entries SET reason = 'rewritten'`,
    `UPDATE audit_entries SET reason = 'nothing matches' WHERE false`,
    `DELETE FROM audit_entries`,
    `TRUNCATE audit_entries CASCADE`,
    `UPDATE audit_seals SET hash = repeat('0', 64)`,
    `DELETE FROM audit_seals`,
    `TRUNCATE audit_seals`,
    `UPDATE audit_checkpoints SET head_hash = repeat('0', 64)`,
    `DELETE FROM audit_checkpoints`,
    `TRUNCATE audit_checkpoints`,
  ])('refuses %s', async (statement) => {
    await expect(sql(statement)).rejects.toThrow(/the audit trail is append-only/);
  });

  it('keeps every row after the refusals', async () => {
    expect(
      await sql(`SELECT (SELECT count(*) FROM audit_entries) AS e, (SELECT count(*) FROM audit_seals) AS s`),
    ).toEqual([{ e: 1, s: 1 }]);
  });

  it('stamps the time and the inserting transaction itself, whatever the insert says', async () => {
    const rows = (await sql(`
      INSERT INTO audit_entries (action, at, txid) VALUES ('READ', '2001-01-01T00:00:00Z', '5')
      RETURNING at, txid::text AS txid, txid = pg_current_xact_id() AS own`)) as Array<{
      at: Date;
      txid: string;
      own: boolean;
    }>;
    expect(rows[0]?.at.getFullYear()).toBeGreaterThan(2020);
    expect(rows[0]?.txid).not.toBe('5');
    expect(rows[0]?.own).toBe(true);
  });

  it('refuses an action it does not know', async () => {
    await expect(sql(`INSERT INTO audit_entries (action) VALUES ('DROP_TABLES')`)).rejects.toThrow(/audit_action/);
  });
});
