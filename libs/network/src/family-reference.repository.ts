import type { EntityManager } from 'typeorm';

/**
 * The pseudonymous reference of each family (e.g. NS-2026-0142): the only family detail an
 * outbound message may carry.
 */
export async function familyReferences(
  manager: EntityManager,
  familyIds: readonly string[],
): Promise<Map<string, string>> {
  if (familyIds.length === 0) return new Map();
  const rows: { id: string; reference: string }[] = await manager.query(
    `SELECT id, reference FROM families WHERE id = ANY($1::uuid[])`,
    [familyIds],
  );
  return new Map(rows.map((r) => [r.id, r.reference]));
}
