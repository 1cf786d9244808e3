import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { FamilyEntity } from './family.entity.js';
import type { JoinRequestStatus } from './network.enums.js';

/** A practitioner's request to join a family's network; at most one pending per user and family. */
@Entity('join_requests')
@Check('join_requests_status_check', `status IN ('PENDING','APPROVED','DECLINED')`)
@Index('join_requests_pending_key', ['familyId', 'userId'], { unique: true, where: `status = 'PENDING'` })
export class JoinRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey(() => FamilyEntity, { name: 'join_requests_family_id_fkey' })
  familyId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'join_requests_user_id_fkey' })
  userId: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', default: 'PENDING' })
  status: JoinRequestStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  @ForeignKey('users', { name: 'join_requests_decided_by_fkey' })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
