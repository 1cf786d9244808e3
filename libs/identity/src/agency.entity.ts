import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AgencyKind } from './identity.enums.js';

@Entity('agencies')
@Check(
  'agencies_kind_check',
  `kind IN ('SOCIAL_CARE','POLICE','HEALTH','EDUCATION','HOUSING','PROBATION','YOUTH_JUSTICE','VOLUNTARY','OTHER')`,
)
// Unique on lower(name): an expression index, beyond what an entity describes.
@Index('agencies_name_key', { synchronize: false })
export class AgencyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: AgencyKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
