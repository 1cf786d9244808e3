import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The stored first outcome of a mutation sent with an Idempotency-Key. */
@Entity({ name: 'idempotency_keys', synchronize: false })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
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

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
