import { Check, Column, CreateDateColumn, Entity, ForeignKey, Generated, Index, PrimaryGeneratedColumn } from 'typeorm';
import { FamilyEntity } from './family.entity.js';
import type { NetworkRole } from './network.enums.js';

/**
 * A practitioner in a family's network. Active while neither removed nor expired; a removal keeps
 * the row (who was in the network, and when, stays answerable).
 */
@Entity('network_members')
@Check('network_members_role_check', `role IN ('LEAD','MEMBER')`)
@Index('network_members_active_key', ['familyId', 'userId'], { unique: true, where: 'removed_at IS NULL' })
@Index('network_members_user_idx', ['userId', 'familyId'], { where: 'removed_at IS NULL' })
@Index('network_members_public_id_key', ['publicId'], { unique: true })
export class NetworkMemberEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** What other agencies see of a sensitive member instead of their user id. */
  @Column({ name: 'public_id', type: 'uuid' })
  @Generated('uuid')
  publicId: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey(() => FamilyEntity, { name: 'network_members_family_id_fkey' })
  familyId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'network_members_user_id_fkey' })
  userId: string;

  @Column({ type: 'text' })
  role: NetworkRole;

  /** Membership itself is sensitive (e.g. a refuge worker): hidden from other members. */
  @Column({ type: 'boolean', default: false })
  sensitive: boolean;

  @Column({ name: 'contact_route', type: 'text', nullable: true })
  contactRoute: string | null;

  @Column({ name: 'added_by', type: 'uuid' })
  @ForeignKey('users', { name: 'network_members_added_by_fkey' })
  addedBy: string;

  @CreateDateColumn({ name: 'added_at', type: 'timestamptz' })
  addedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'removed_by', type: 'uuid', nullable: true })
  @ForeignKey('users', { name: 'network_members_removed_by_fkey' })
  removedBy: string | null;

  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt: Date | null;
}
