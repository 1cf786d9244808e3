import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { chainHash, GENESIS_HASH } from './audit-chain.js';
import { AuditChainRepository, type ChainHead, type SealWithEntry } from './audit-chain.repository.js';

/** What a verification found (the AuditIntegrity of API.md, plus what is still waiting). */
export interface AuditIntegrityReport {
  readonly verified: boolean;
  /** Entries in the chain. */
  readonly entries: number;
  /** Entries not sealed yet: their transactions are still settling, or the sealer has not run. */
  readonly unsealed: number;
  /** The latest recorded time (`at`) among sealed entries. */
  readonly sealedThrough: Date | null;
  /** The hash of the last seal: what a checkpoint kept elsewhere is compared with. */
  readonly headHash: string | null;
  /** The first entry whose seal does not hold, when the chain is broken and an entry names it. */
  readonly firstBrokenEntryId: string | null;
  /** What is wrong, in one line; null when verified. */
  readonly problem: string | null;
}

interface Break {
  readonly entryId: string | null;
  readonly problem: string;
}

const BATCH = 5000;

/**
 * Recomputes the chain from the genesis hash, in batches of seals joined to their entries, and
 * reports the first link that does not hold: an entry changed or deleted, a seal changed, removed
 * or out of place, a checkpoint the chain no longer matches or reaches, an entry slipped in behind
 * the head. Reads only, in short queries; never locks anything.
 */
@Injectable()
export class AuditVerifier {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly chain: AuditChainRepository = new AuditChainRepository(),
  ) {}

  async verify(): Promise<AuditIntegrityReport> {
    const manager = this.dataSource.manager;
    let prevHash = GENESIS_HASH;
    let position = 0;
    let entries = 0;
    let sealedThrough: string | null = null;
    let head: ChainHead | undefined;
    let broken: Break | undefined;
    const recomputed = new Map<number, string>();

    for (;;) {
      const seals = await this.chain.sealsAfter(manager, position, BATCH);
      const batchStart = position;
      recomputed.clear();
      for (const seal of seals) {
        entries++;
        if (!broken) {
          const hash = seal.entry ? chainHash(prevHash, seal.entry) : undefined;
          broken = checkSeal(seal, position, prevHash, hash);
          if (hash) recomputed.set(seal.position, hash);
        }
        if (seal.entry && (sealedThrough === null || seal.entry.at > sealedThrough)) sealedThrough = seal.entry.at;
        prevHash = seal.hash;
        position = seal.position;
        head = { position: seal.position, hash: seal.hash, entryId: seal.entryId, entryTxid: seal.entryTxid };
      }
      if (!broken && seals.length > 0) broken = await this.checkCheckpoints(batchStart, position, recomputed);
      if (seals.length < BATCH) break;
    }

    if (!broken) broken = await this.checkEnd(position);
    if (!broken && head && (await this.chain.countThrough(manager, head)) !== entries) {
      const slipped = await this.chain.firstUnsealedThrough(manager, head);
      broken = { entryId: slipped ?? null, problem: 'an entry inside the sealed range has no seal' };
    }
    return {
      verified: !broken,
      entries,
      unsealed: await this.chain.countAfter(manager, head),
      sealedThrough: sealedThrough === null ? null : new Date(sealedThrough),
      headHash: head?.hash ?? null,
      firstBrokenEntryId: broken?.entryId ?? null,
      problem: broken?.problem ?? null,
    };
  }

  /** Every checkpoint in (from, to] names the hash the chain has at its position. */
  private async checkCheckpoints(
    from: number,
    to: number,
    hashes: ReadonlyMap<number, string>,
  ): Promise<Break | undefined> {
    let after = from;
    for (;;) {
      const checkpoints = await this.chain.checkpointsAfter(this.dataSource.manager, after, BATCH);
      for (const checkpoint of checkpoints) {
        if (checkpoint.position > to) return undefined;
        if (hashes.get(checkpoint.position) !== checkpoint.head_hash) {
          return {
            entryId: null,
            problem: `the checkpoint at position ${checkpoint.position} does not match the chain`,
          };
        }
        after = checkpoint.position;
      }
      if (checkpoints.length < BATCH) return undefined;
    }
  }

  /** A checkpoint beyond the end of the chain means seals were removed from its end. */
  private async checkEnd(end: number): Promise<Break | undefined> {
    const [beyond] = await this.chain.checkpointsAfter(this.dataSource.manager, end, 1);
    if (!beyond || (await this.chain.hasSealsAfter(this.dataSource.manager, end))) return undefined;
    return {
      entryId: null,
      problem: `a checkpoint records position ${beyond.position}, beyond the end of the chain at ${end}`,
    };
  }
}

function checkSeal(
  seal: SealWithEntry,
  previous: number,
  prevHash: string,
  hash: string | undefined,
): Break | undefined {
  const at = `position ${seal.position}`;
  if (seal.position !== previous + 1) {
    return { entryId: seal.entryId, problem: `the chain skips from position ${previous} to ${seal.position}` };
  }
  if (seal.prevHash !== prevHash) {
    return { entryId: seal.entryId, problem: `the seal at ${at} does not follow the one before it` };
  }
  if (!seal.entry) return { entryId: seal.entryId, problem: `entry ${seal.entryId}, sealed at ${at}, is missing` };
  if (seal.entry.txid !== seal.entryTxid || hash !== seal.hash) {
    return { entryId: seal.entryId, problem: `entry ${seal.entryId} does not match its seal at ${at}` };
  }
  return undefined;
}
