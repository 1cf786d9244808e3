import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A person known to a family network; identifiers are field-level sensitive (see the ability). */
@Entity('persons')
// Search indexes on expressions (lower(...)), beyond what an entity describes.
@Index('persons_name_dob_idx', { synchronize: false })
@Index('persons_full_name_idx', { synchronize: false })
export class PersonEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'given_name', type: 'text' })
  givenName: string;

  @Column({ name: 'family_name', type: 'text' })
  familyName: string;

  @Column({ name: 'date_of_birth', type: 'date', nullable: true })
  dateOfBirth: string | null;

  @Column({ name: 'nhs_number', type: 'text', nullable: true })
  nhsNumber: string | null;

  @Column({ name: 'school_upn', type: 'text', nullable: true })
  schoolUpn: string | null;

  @Column({ name: 'police_reference', type: 'text', nullable: true })
  policeReference: string | null;

  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Column({ name: 'address_withheld', type: 'boolean', default: false })
  addressWithheld: boolean;

  @Column({ name: 'recorded_by_agency_id', type: 'uuid' })
  @ForeignKey('agencies', { name: 'persons_recorded_by_agency_id_fkey' })
  recordedByAgencyId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
