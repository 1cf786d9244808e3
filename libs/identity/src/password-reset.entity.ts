import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity.js';

/** An admin-issued, single-use, short-lived way to set a new password. */
@Entity('password_resets')
@Index('password_resets_hash_key', ['tokenHash'], { unique: true })
@Index('password_resets_user_open_idx', ['userId'], { where: 'used_at IS NULL' })
export class PasswordResetEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'password_resets_user_id_fkey' })
  userId: string;

  @Column({ name: 'issued_by', type: 'uuid' })
  @ForeignKey(() => UserEntity, { name: 'password_resets_issued_by_fkey' })
  issuedBy: string;

  /** sha256 of the token; the token itself is shown once and never stored. */
  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Set when redeemed, or when a newer reset voids it. */
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}
