import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The `audit_seals` table: the hash chain over audit entries, one row per sealed entry, kept
 * beside the append-only entries so sealing never updates them. Not synchronised (see
 * AuditEntryEntity); the `entry_txid xid8` column is not mapped.
 */
@Entity({ name: 'audit_seals', synchronize: false })
export class AuditSealEntity {
  @PrimaryColumn({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  /** 1, 2, 3, … without gaps, in (transaction id, entry id) order. */
  @Column({ type: 'bigint', unique: true })
  position: number;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash: string;

  @Column({ type: 'text' })
  hash: string;

  @Column({ name: 'sealed_at', type: 'timestamptz' })
  sealedAt: Date;
}
