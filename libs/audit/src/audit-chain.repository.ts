import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CHAIN_COLUMNS, type ChainEntry } from './audit-chain.js';

/** The newest seal: where the chain continues from. */
export interface ChainHead {
  readonly position: number;
  readonly hash: string;
  readonly entryId: string;
  readonly entryTxid: string;
}

export interface NewSeal {
  readonly entryId: string;
  readonly position: number;
  readonly entryTxid: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** A seal with the entry it covers, as the verifier reads them (null when the entry is gone). */
export interface SealWithEntry {
  readonly position: number;
  readonly entryId: string;
  readonly entryTxid: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly entry: ChainEntry | null;
}

interface SealColumns {
  readonly seal_position: number;
  readonly seal_entry_id: string;
  readonly seal_entry_txid: string;
  readonly seal_prev_hash: string;
  readonly seal_hash: string;
}

export interface Checkpoint {
  readonly position: number;
  readonly head_hash: string;
}

/** The SQL of sealing and verifying. Only INSERT and SELECT: seals and checkpoints are append-only. */
@Injectable()
export class AuditChainRepository {
  /** Only one sealer at a time in a database; the others skip their turn. */
  async tryLockSealer(manager: EntityManager): Promise<boolean> {
    const rows = await manager.query<Array<{ locked: boolean }>>(
      `SELECT pg_try_advisory_xact_lock(hashtextextended('hearth.audit.sealer', 0)) AS locked`,
    );
    return rows[0]?.locked === true;
  }

  async head(manager: EntityManager): Promise<ChainHead | undefined> {
    const rows = await manager.query<ChainHead[]>(
      `SELECT position, hash, entry_id::text AS "entryId", entry_txid::text AS "entryTxid"
         FROM audit_seals ORDER BY position DESC LIMIT 1`,
    );
    return rows[0];
  }

  /**
   * Settled entries after the head in (txid, id) order. An entry is settled when its transaction
   * is older than every transaction still running (the snapshot's xmin): its commit is visible
   * to this statement, and any entry that becomes visible later has a txid at or above that
   * horizon, so it sorts after everything returned here.
   */
  async settledAfter(manager: EntityManager, head: ChainHead | undefined, limit: number): Promise<ChainEntry[]> {
    const params: unknown[] = [limit];
    let after = '';
    if (head) {
      params.push(head.entryTxid, head.entryId);
      after = 'AND (e.txid, e.id) > ($2::xid8, $3::uuid)';
    }
    return await manager.query<ChainEntry[]>(
      `SELECT ${CHAIN_COLUMNS}
         FROM audit_entries e
        WHERE e.txid < pg_snapshot_xmin(pg_current_snapshot()) ${after}
        ORDER BY e.txid, e.id
        LIMIT $1`,
      params,
    );
  }

  async insertSeals(manager: EntityManager, seals: readonly NewSeal[], sealedAt: Date): Promise<void> {
    await manager.query(
      `INSERT INTO audit_seals (entry_id, position, entry_txid, prev_hash, hash, sealed_at)
       SELECT entry_id, position, entry_txid, prev_hash, hash, $6
         FROM unnest($1::uuid[], $2::bigint[], $3::xid8[], $4::text[], $5::text[])
              AS s(entry_id, position, entry_txid, prev_hash, hash)`,
      [
        seals.map((s) => s.entryId),
        seals.map((s) => s.position),
        seals.map((s) => s.entryTxid),
        seals.map((s) => s.prevHash),
        seals.map((s) => s.hash),
        sealedAt,
      ],
    );
  }

  async insertCheckpoint(manager: EntityManager, position: number, headHash: string, at: Date): Promise<void> {
    await manager.query(`INSERT INTO audit_checkpoints (position, head_hash, at) VALUES ($1, $2, $3)`, [
      position,
      headHash,
      at,
    ]);
  }

  /** Seals after `position` with their entries, in chain order. */
  async sealsAfter(manager: EntityManager, position: number, limit: number): Promise<SealWithEntry[]> {
    const rows = await manager.query<Array<SealColumns & (ChainEntry | { id: null })>>(
      `SELECT s.position AS seal_position, s.entry_id::text AS seal_entry_id, s.entry_txid::text AS seal_entry_txid,
              s.prev_hash AS seal_prev_hash, s.hash AS seal_hash, ${CHAIN_COLUMNS}
         FROM audit_seals s
         LEFT JOIN audit_entries e ON e.id = s.entry_id
        WHERE s.position > $1
        ORDER BY s.position
        LIMIT $2`,
      [position, limit],
    );
    return rows.map(({ seal_position, seal_entry_id, seal_entry_txid, seal_prev_hash, seal_hash, ...entry }) => ({
      position: seal_position,
      entryId: seal_entry_id,
      entryTxid: seal_entry_txid,
      prevHash: seal_prev_hash,
      hash: seal_hash,
      entry: entry.id === null ? null : entry,
    }));
  }

  /** Whether the chain has grown beyond `position` (verification runs while the sealer works). */
  async hasSealsAfter(manager: EntityManager, position: number): Promise<boolean> {
    const rows = await manager.query<Array<{ grown: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM audit_seals WHERE position > $1) AS grown`,
      [position],
    );
    return rows[0]?.grown === true;
  }

  async checkpointsAfter(manager: EntityManager, position: number, limit: number): Promise<Checkpoint[]> {
    return await manager.query<Checkpoint[]>(
      `SELECT position, head_hash FROM audit_checkpoints WHERE position > $1 ORDER BY position LIMIT $2`,
      [position, limit],
    );
  }

  /** Entries at or before the head in chain order: as many as the seals, unless one escaped sealing. */
  async countThrough(manager: EntityManager, head: ChainHead): Promise<number> {
    const rows = await manager.query<Array<{ n: number }>>(
      `SELECT count(*) AS n FROM audit_entries WHERE (txid, id) <= ($1::xid8, $2::uuid)`,
      [head.entryTxid, head.entryId],
    );
    return rows[0]?.n ?? 0;
  }

  /** The first entry in chain order, at or before the head, that has no seal. */
  async firstUnsealedThrough(manager: EntityManager, head: ChainHead): Promise<string | undefined> {
    const rows = await manager.query<Array<{ id: string }>>(
      `SELECT e.id::text AS id FROM audit_entries e
        WHERE (e.txid, e.id) <= ($1::xid8, $2::uuid)
          AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.entry_id = e.id)
        ORDER BY e.txid, e.id LIMIT 1`,
      [head.entryTxid, head.entryId],
    );
    return rows[0]?.id;
  }

  /** Entries not yet in the chain (still settling, or waiting for the sealer). */
  async countAfter(manager: EntityManager, head: ChainHead | undefined): Promise<number> {
    const rows = await manager.query<Array<{ n: number }>>(
      head
        ? `SELECT count(*) AS n FROM audit_entries WHERE (txid, id) > ($1::xid8, $2::uuid)`
        : `SELECT count(*) AS n FROM audit_entries`,
      head ? [head.entryTxid, head.entryId] : [],
    );
    return rows[0]?.n ?? 0;
  }
}
