import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { FamilyEntity } from './family.entity.js';
import type { FamilyRole } from './network.enums.js';
import { PersonEntity } from './person.entity.js';

/** A person's place in a family (child, parent, …). */
@Entity('family_memberships')
@Check(
  'family_memberships_role_check',
  `role IN ('CHILD','PARENT','CARER','SIBLING','RELATIVE','OTHER_ADULT','PERSON_OF_CONCERN')`,
)
@Index('family_memberships_person_idx', ['personId'])
export class FamilyMembershipEntity {
  @PrimaryColumn({ name: 'family_id', type: 'uuid' })
  @ForeignKey(() => FamilyEntity, { name: 'family_memberships_family_id_fkey' })
  familyId: string;

  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  @ForeignKey(() => PersonEntity, { name: 'family_memberships_person_id_fkey' })
  personId: string;

  @Column({ type: 'text' })
  role: FamilyRole;

  @Column({ name: 'added_by', type: 'uuid' })
  @ForeignKey('users', { name: 'family_memberships_added_by_fkey' })
  addedBy: string;

  @CreateDateColumn({ name: 'added_at', type: 'timestamptz' })
  addedAt: Date;
}
