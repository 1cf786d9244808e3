import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The current window of one rate limit key (see rate-counter.ts). */
@Entity('rate_counters')
@Index('rate_counters_expires_idx', ['expiresAt'])
export class RateCounterEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  hits: number;

  /** Milliseconds, as a JavaScript Date holds it: a refund names its window exactly. */
  @Column({ name: 'window_start', type: 'timestamptz', precision: 3 })
  windowStart: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
