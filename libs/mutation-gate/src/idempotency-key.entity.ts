import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** The stored first outcome of a mutation sent with an Idempotency-Key. */
@Entity('idempotency_keys')
@Index('idempotency_keys_expires_idx', ['expiresAt'])
@Check('idempotency_keys_key_check', `char_length(key) BETWEEN 1 AND 255`)
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'idempotency_keys_user_id_fkey' })
  userId: string;

  @PrimaryColumn({ type: 'text' })
  key: string;

  /** SHA-256 of the operation and its variables: the same key with another request is refused. */
  @Column({ name: 'request_hash', type: 'bytea' })
  requestHash: Buffer;

  @Column({ name: 'http_status', type: 'smallint' })
  httpStatus: number;

  /** The GraphQL response body sent the first time (data or domain errors). */
  @Column({ type: 'jsonb' })
  response: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
