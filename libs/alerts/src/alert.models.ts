import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ConnectionType } from '@hearth/pagination';

export enum Rag {
  RED = 'RED',
  AMBER = 'AMBER',
  GREEN = 'GREEN',
}
export enum AlertStatus {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  ESCALATED = 'ESCALATED',
  RESOLVED = 'RESOLVED',
}
registerEnumType(Rag, { name: 'Rag' });
registerEnumType(AlertStatus, { name: 'AlertStatus' });

@ObjectType('Rule', { description: 'An early-warning rule of the partnership; every edit is a new version' })
export class RuleModel {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => Int)
  version: number;

  @Field(() => String)
  kind: string;

  @Field(() => Boolean)
  enabled: boolean;

  @Field(() => String, { description: 'The definition as JSON' })
  definition: string;

  @Field(() => Date)
  updatedAt: Date;
}

@ObjectType('Alert')
export class AlertModel {
  @Field(() => ID)
  id: string;

  familyId: string;
  ruleId: string;
  matchedEventIds: string[];
  acknowledgedById: string | null;

  @Field(() => Int)
  ruleVersion: number;

  @Field(() => Rag)
  rag: Rag;

  @Field(() => AlertStatus)
  status: AlertStatus;

  @Field(() => String, { description: 'Which rule and version fired, with which thresholds, on which events' })
  explanation: string;

  @Field(() => Date)
  raisedAt: Date;

  @Field(() => Date)
  dueBy: Date;

  @Field(() => Date, { nullable: true })
  acknowledgedAt: Date | null;

  @Field(() => Date, { nullable: true })
  escalatedAt: Date | null;

  @Field(() => Date, { nullable: true })
  resolvedAt: Date | null;
}

export const AlertConnection = ConnectionType(AlertModel, 'Alert');
