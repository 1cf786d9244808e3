import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** The `audit_checkpoints` table: the chain head after each sealing batch. */
@Entity('audit_checkpoints')
@Check('audit_checkpoints_position_check', 'position > 0')
@Check('audit_checkpoints_head_hash_check', `head_hash ~ '^[0-9a-f]{64}$'`)
export class AuditCheckpointEntity {
  @PrimaryColumn({ type: 'bigint' })
  position: number;

  @Column({ name: 'head_hash', type: 'text' })
  headHash: string;

  @Column({ type: 'timestamptz' })
  at: Date;
}
