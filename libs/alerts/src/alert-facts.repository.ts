import type { EntityManager } from 'typeorm';
import type { Rag } from './alert.models.js';

/** What may be said of an alert outside Hearth: its rule's name, RAG and deadline. No explanation. */
export interface AlertFacts {
  readonly alertId: string;
  readonly ruleName: string;
  readonly rag: Rag;
  readonly dueBy: Date;
}

export async function alertFacts(
  manager: EntityManager,
  alertIds: readonly string[],
): Promise<Map<string, AlertFacts>> {
  if (alertIds.length === 0) return new Map();
  const rows: { id: string; name: string; rag: Rag; due_by: Date }[] = await manager.query(
    `SELECT a.id, r.name, a.rag, a.due_by FROM alerts a JOIN rules r ON r.id = a.rule_id WHERE a.id = ANY($1::uuid[])`,
    [alertIds],
  );
  return new Map(rows.map((r) => [r.id, { alertId: r.id, ruleName: r.name, rag: r.rag, dueBy: r.due_by }]));
}
