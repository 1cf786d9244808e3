import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, systemClock, type Clock } from '@hearth/config';
import { chainHash, GENESIS_HASH } from './audit-chain.js';
import { AuditChainRepository, type NewSeal } from './audit-chain.repository.js';

export interface AuditSealerOptions {
  /** Entries sealed per transaction, each batch ending with a checkpoint. */
  readonly batchSize?: number;
  /** Pause between rounds of the loop, in milliseconds. */
  readonly intervalMs?: number;
}
export const AUDIT_SEALER_OPTIONS = Symbol('AUDIT_SEALER_OPTIONS');

const MAX_BACKOFF_MS = 5000;

/**
 * Chains settled audit entries (ARCHITECTURE.md, Audit): in (transaction id, entry id) order,
 * each seal's hash covering the previous hash and the entry, positions 1, 2, 3… without gaps.
 * Several sealers may run against one database: an advisory lock lets one seal at a time and the
 * others skip their turn, and the unique position and entry keys would refuse a double seal anyway.
 */
@Injectable()
export class AuditSealer {
  private readonly logger = new Logger('AuditSealer');
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private active = false;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private failures = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
    @Optional() @Inject(AUDIT_SEALER_OPTIONS) options: AuditSealerOptions = {},
    @Optional() private readonly chain: AuditChainRepository = new AuditChainRepository(),
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.intervalMs = options.intervalMs ?? 250;
  }

  /**
   * Seals every entry settled now, batch by batch. Returns how many it sealed; 0 also when another
   * sealer holds the lock.
   */
  async sealOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const sealed = await this.sealBatch();
      total += sealed;
      if (sealed < this.batchSize) return total;
    }
  }

  private sealBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.chain.tryLockSealer(manager))) return 0;
      const head = await this.chain.head(manager);
      const entries = await this.chain.settledAfter(manager, head, this.batchSize);
      if (entries.length === 0) return 0;

      let prevHash = head?.hash ?? GENESIS_HASH;
      let position = head?.position ?? 0;
      const seals: NewSeal[] = entries.map((entry) => {
        const hash = chainHash(prevHash, entry);
        const seal = { entryId: entry.id, position: ++position, entryTxid: entry.txid, prevHash, hash };
        prevHash = hash;
        return seal;
      });
      const now = this.clock.now();
      await this.chain.insertSeals(manager, seals, now);
      await this.chain.insertCheckpoint(manager, position, prevHash, now);
      return seals.length;
    });
  }

  /** Runs sealOnce every intervalMs until stop(); a failure is logged and retried with back-off. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.schedule(0);
  }

  /** Stops the loop, waiting for a round in progress to finish. */
  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  get running(): boolean {
    return this.active;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.round = this.tick().finally(() => {
        this.round = undefined;
        if (this.active)
          this.schedule(
            this.failures ? Math.min(this.intervalMs * 2 ** this.failures, MAX_BACKOFF_MS) : this.intervalMs,
          );
      });
    }, delay);
  }

  private async tick(): Promise<void> {
    try {
      await this.sealOnce();
      if (this.failures) this.logger.log('sealing the audit trail again');
      this.failures = 0;
    } catch (error) {
      // Backed off to at most one attempt (and one line) every few seconds.
      this.logger.error(error instanceof Error ? error : String(error));
      this.failures = Math.min(this.failures + 1, 10);
    }
  }
}
