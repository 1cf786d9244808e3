import type { DataSource } from 'typeorm';
import { eventually } from './eventually.js';

/**
 * Seals until no audit entry is left unsealed, returning how many were sealed. A transaction
 * anywhere on the test server can hold the sealing horizon back a moment, so one call may not do.
 */
export async function sealAll(sealer: { sealOnce(): Promise<number> }, dataSource: DataSource): Promise<number> {
  let sealed = 0;
  await eventually(
    async () => {
      sealed += await sealer.sealOnce();
      const [left] = await dataSource.query<Array<{ n: number }>>(
        `SELECT count(*) AS n FROM audit_entries e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)`,
      );
      return left?.n === 0;
    },
    { what: 'sealing every entry' },
  );
  return sealed;
}
