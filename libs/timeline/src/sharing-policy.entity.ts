import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** An agency's default visibility for the events of one kind it posts. */
@Entity('sharing_policies')
@Check('sharing_policies_visibility_check', `visibility IN ('NETWORK','AGENCY')`)
export class SharingPolicyEntity {
  @PrimaryColumn({ name: 'agency_id', type: 'uuid' })
  @ForeignKey('agencies', { name: 'sharing_policies_agency_id_fkey' })
  agencyId: string;

  @PrimaryColumn({ name: 'event_kind', type: 'text' })
  eventKind: string;

  @Column({ type: 'text' })
  visibility: 'NETWORK' | 'AGENCY';
}
