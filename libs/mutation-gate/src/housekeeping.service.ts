import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { deleteExpiredRateCounters } from '@hearth/database';
import { IdempotencyKeyRepository } from './idempotency-key.repository.js';

/**
 * Deletes idempotency keys past their 24 hours and rate-limit windows that have ended. Runs
 * where the scheduled loops run (HEARTH_RUN_WORKER); several nodes may run it at once.
 */
@Injectable()
export class Housekeeping implements OnModuleDestroy {
  private readonly logger = new Logger('Housekeeping');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: IdempotencyKeyRepository,
  ) {}

  start(intervalMs = 10 * 60_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.sweep().catch((error: unknown) => this.logger.error({ err: error }, 'housekeeping failed'));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  async sweep(): Promise<{ idempotencyKeys: number }> {
    const idempotencyKeys = await this.keys.deleteExpired();
    await deleteExpiredRateCounters(this.dataSource);
    return { idempotencyKeys };
  }
}
