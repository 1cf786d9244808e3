import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  ForeignKey,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** An early-warning rule; its definition lives in versions (an edit makes a new one). */
@Entity('rules')
export class RuleEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'current_version', type: 'integer' })
  currentVersion: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One version of a rule: its kind and JSON definition (validated by ruleDefinitionSchema). */
@Entity('rule_versions')
@Check('rule_versions_kind_check', `kind IN ('THRESHOLD','SEQUENCE','TRIGGER','ABSENCE','NETWORK_GAP')`)
export class RuleVersionEntity {
  @PrimaryColumn({ name: 'rule_id', type: 'uuid' })
  @ForeignKey(() => RuleEntity, { name: 'rule_versions_rule_id_fkey' })
  ruleId: string;

  @PrimaryColumn({ type: 'integer' })
  version: number;

  @Column({ type: 'text' })
  kind: 'THRESHOLD' | 'SEQUENCE' | 'TRIGGER' | 'ABSENCE' | 'NETWORK_GAP';

  @Column({ type: 'jsonb' })
  definition: unknown;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  @ForeignKey('users', { name: 'rule_versions_created_by_fkey' })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
