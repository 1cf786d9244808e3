import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where `@socket.io/postgres-adapter` keeps payloads too large for NOTIFY. The adapter's own
 * schema: `id` is unique but not a primary key, so TypeORM (which needs one) does not synchronise
 * it; the schema-drift spec compares its columns instead.
 */
@Entity({ name: 'socket_io_attachments', synchronize: false })
export class SocketIoAttachmentEntity {
  @PrimaryColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'created_at', type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ type: 'bytea', nullable: true })
  payload: Buffer | null;
}
