import { Check, Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { FamilyEntity } from './family.entity.js';
import type { GrantReviewOutcome } from './network.enums.js';

/** Break-glass access to a family for a limited time, reviewed afterwards. */
@Entity('access_grants')
@Check('access_grants_kind_check', `kind IN ('BREAK_GLASS')`)
@Check('access_grants_review_outcome_check', `review_outcome IN ('APPROPRIATE','INAPPROPRIATE')`)
@Index('access_grants_user_idx', ['userId', 'expiresAt'])
@Index('access_grants_review_idx', ['grantedAt', 'id'], { where: 'review_outcome IS NULL' })
export class AccessGrantEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey(() => FamilyEntity, { name: 'access_grants_family_id_fkey' })
  familyId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'access_grants_user_id_fkey' })
  userId: string;

  @Column({ type: 'text', default: 'BREAK_GLASS' })
  kind: 'BREAK_GLASS';

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'granted_at', type: 'timestamptz', default: () => 'now()' })
  grantedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'boolean', default: false })
  flagged: boolean;

  @Column({ name: 'review_outcome', type: 'text', nullable: true })
  reviewOutcome: GrantReviewOutcome | null;

  @Column({ name: 'review_note', type: 'text', nullable: true })
  reviewNote: string | null;

  @Column({ name: 'reviewed_by', type: 'uuid', nullable: true })
  @ForeignKey('users', { name: 'access_grants_reviewed_by_fkey' })
  reviewedBy: string | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;
}
