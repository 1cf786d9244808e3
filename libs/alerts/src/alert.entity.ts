import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { AlertStatus, Rag } from './alert.models.js';
import { RuleEntity, RuleVersionEntity } from './rule.entity.js';

/** A rule that fired for a family: one per deduplication key (rule, family, window start). */
@Entity('alerts')
@ForeignKey(() => RuleVersionEntity, ['ruleId', 'ruleVersion'], ['ruleId', 'version'], {
  name: 'alerts_rule_id_rule_version_fkey',
})
@Check('alerts_rag_check', `rag IN ('RED','AMBER','GREEN')`)
@Check('alerts_status_check', `status IN ('OPEN','ACKNOWLEDGED','ESCALATED','RESOLVED')`)
@Index('alerts_dedup_key', ['dedupKey'], { unique: true })
@Index('alerts_due_idx', ['dueBy'], { where: `status = 'OPEN'` })
@Index('alerts_family_idx', ['familyId', 'raisedAt'])
export class AlertEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey('families', { name: 'alerts_family_id_fkey' })
  familyId: string;

  @Column({ name: 'rule_id', type: 'uuid' })
  @ForeignKey(() => RuleEntity, { name: 'alerts_rule_id_fkey' })
  ruleId: string;

  @Column({ name: 'rule_version', type: 'integer' })
  ruleVersion: number;

  @Column({ type: 'text' })
  rag: Rag;

  @Column({ type: 'text', default: 'OPEN' })
  status: AlertStatus;

  @Column({ name: 'dedup_key', type: 'text' })
  dedupKey: string;

  @Column({ type: 'text' })
  explanation: string;

  @Column({ name: 'matched_event_ids', type: 'uuid', array: true, default: '{}' })
  matchedEventIds: string[];

  @Column({ name: 'raised_at', type: 'timestamptz', default: () => 'now()' })
  raisedAt: Date;

  @Column({ name: 'due_by', type: 'timestamptz' })
  dueBy: Date;

  @Column({ name: 'acknowledged_by', type: 'uuid', nullable: true })
  @ForeignKey('users', { name: 'alerts_acknowledged_by_fkey' })
  acknowledgedBy: string | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'escalated_at', type: 'timestamptz', nullable: true })
  escalatedAt: Date | null;

  @Column({ name: 'resolved_by', type: 'uuid', nullable: true })
  @ForeignKey('users', { name: 'alerts_resolved_by_fkey' })
  resolvedBy: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'resolution_note', type: 'text', nullable: true })
  resolutionNote: string | null;
}

/** Who is told about an alert, and why (a rule's recipient, or an escalation). */
@Entity('alert_recipients')
@Check('alert_recipients_reason_check', `reason IN ('RECIPIENT','ESCALATION')`)
@Index('alert_recipients_user_idx', ['userId', 'alertId'])
export class AlertRecipientEntity {
  @PrimaryColumn({ name: 'alert_id', type: 'uuid' })
  @ForeignKey(() => AlertEntity, { name: 'alert_recipients_alert_id_fkey' })
  alertId: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey('families', { name: 'alert_recipients_family_id_fkey' })
  familyId: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'alert_recipients_user_id_fkey' })
  userId: string;

  @Column({ type: 'text' })
  reason: 'RECIPIENT' | 'ESCALATION';

  @Column({ name: 'added_at', type: 'timestamptz', default: () => 'now()' })
  addedAt: Date;
}

/** An alert's lifecycle, one row per change. */
@Entity('alert_history')
@Index('alert_history_alert_idx', ['alertId', 'at'])
export class AlertHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: number;

  @Column({ name: 'alert_id', type: 'uuid' })
  @ForeignKey(() => AlertEntity, { name: 'alert_history_alert_id_fkey' })
  alertId: string;

  @Column({ name: 'family_id', type: 'uuid' })
  @ForeignKey('families', { name: 'alert_history_family_id_fkey' })
  familyId: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  @ForeignKey('users', { name: 'alert_history_actor_id_fkey' })
  actorId: string | null;

  @Column({ type: 'text' })
  change: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;
}
