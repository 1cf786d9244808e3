import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The `audit_checkpoints` table: the chain head after each sealing batch. Not synchronised. */
@Entity({ name: 'audit_checkpoints', synchronize: false })
export class AuditCheckpointEntity {
  @PrimaryColumn({ type: 'bigint' })
  position: number;

  @Column({ name: 'head_hash', type: 'text' })
  headHash: string;

  @Column({ type: 'timestamptz' })
  at: Date;
}
