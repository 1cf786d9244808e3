import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { FamilyStatus, ProtectionStatus } from './network.enums.js';

@Entity('families')
@Check('families_status_check', `status IN ('OPEN','CLOSED')`)
@Check(
  'families_protection_status_check',
  `protection_status IN ('NONE','EARLY_HELP','CHILD_IN_NEED','CHILD_PROTECTION_PLAN','LOOKED_AFTER')`,
)
// Unique on lower(reference): an expression index, beyond what an entity describes.
@Index('families_reference_key', { synchronize: false })
export class FamilyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  reference: string;

  @Column({ type: 'text', default: 'OPEN' })
  status: FamilyStatus;

  @Column({ name: 'protection_status', type: 'text', default: 'NONE' })
  protectionStatus: ProtectionStatus;

  /** The lead practitioner (also a LEAD row in network_members). */
  @Column({ name: 'lead_user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'families_lead_user_id_fkey' })
  leadUserId: string;

  @Column({ name: 'created_by', type: 'uuid' })
  @ForeignKey('users', { name: 'families_created_by_fkey' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
