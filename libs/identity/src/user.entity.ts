import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Role } from '@hearth/authz';
import { AgencyEntity } from './agency.entity.js';
import type { UserStatus } from './identity.enums.js';

@Entity('users')
@Check('users_email_check', 'email = lower(email)')
@Check(
  'users_roles_check',
  `roles <@ ARRAY['PRACTITIONER','MANAGER','AGENCY_ADMIN','AUDITOR','PARTNERSHIP_ADMIN']::text[]`,
)
@Check('users_status_check', `status IN ('ACTIVE','DISABLED')`)
@Index('users_email_key', ['email'], { unique: true })
@Index('users_agency_email_idx', ['agencyId', 'email'])
@Index('users_manager_idx', ['managerId'], { where: 'manager_id IS NOT NULL' })
// A GIN index (role look-ups); TypeORM cannot describe its access method.
@Index('users_roles_idx', { synchronize: false })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'agency_id', type: 'uuid' })
  @ForeignKey(() => AgencyEntity, { name: 'users_agency_id_fkey' })
  agencyId: string;

  /** Stored lower-case; unique. */
  @Column({ type: 'text' })
  email: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ name: 'job_title', type: 'text', nullable: true })
  jobTitle: string | null;

  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @Column({ type: 'text', default: 'ACTIVE' })
  status: UserStatus;

  /** The user's line manager: a MANAGER of the same agency. A manager's team is everyone who names them here. */
  @Column({ name: 'manager_id', type: 'uuid', nullable: true })
  @ForeignKey(() => UserEntity, { name: 'users_manager_id_fkey' })
  managerId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
