import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '@hearth/authz';
import type { UserStatus } from './identity.enums.js';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'agency_id', type: 'uuid' })
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

  @Column({ name: 'contact_route', type: 'text', nullable: true })
  contactRoute: string | null;

  /** An admin chose the current password: its owner replaces it at the next sign-in. */
  @Column({ name: 'must_change_password', type: 'boolean' })
  mustChangePassword: boolean;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @Column({ type: 'text' })
  status: UserStatus;

  /** The user's line manager: a MANAGER of the same agency. A manager's team is everyone who names them here. */
  @Column({ name: 'manager_id', type: 'uuid', nullable: true })
  managerId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
