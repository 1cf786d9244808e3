import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed logins per key (an email, or a client address) in the current window, and any lock-out. */
@Entity('login_throttle')
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  failures: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;
}
