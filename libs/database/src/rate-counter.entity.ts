import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The current window of one rate limit key (see rate-counter.ts). */
@Entity({ name: 'rate_counters', synchronize: false })
export class RateCounterEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  /** Milliseconds, as a JavaScript Date holds it: a refund names its window exactly. */
  @Column({ name: 'window_start', type: 'timestamptz', precision: 3 })
  windowStart: Date;

  @Column({ type: 'integer' })
  hits: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
