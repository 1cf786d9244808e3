import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';

/** A user's TOTP authenticator: pending until a first code confirms it. */
@Entity('mfa_factors')
export class MfaFactorEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'mfa_factors_user_id_fkey' })
  userId: string;

  /** The TOTP secret, sealed with AES-256-GCM under a server-side key (see SecondFactorService). */
  @Column({ name: 'secret_box', type: 'bytea' })
  secretBox: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  /** The last TOTP time step accepted: a code is never accepted twice. */
  @Column({ name: 'last_used_step', type: 'bigint', nullable: true })
  lastUsedStep: string | null;

  /** Codes tried in the current window, counted before each check. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'window_started_at', type: 'timestamptz', default: () => 'now()' })
  windowStartedAt: Date;
}

/** Single-use codes for when the authenticator is lost; only their keyed hash is stored. */
@Entity('mfa_recovery_codes')
@Index('mfa_recovery_codes_user_hash_key', ['userId', 'codeHash'], { unique: true })
export class MfaRecoveryCodeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'mfa_recovery_codes_user_id_fkey' })
  userId: string;

  @Column({ name: 'code_hash', type: 'bytea' })
  codeHash: Buffer;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
