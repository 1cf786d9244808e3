import { registerEnumType } from '@nestjs/graphql';

export enum EventKind {
  CONCERN = 'CONCERN',
  INCIDENT = 'INCIDENT',
  DOMESTIC_ABUSE_INCIDENT = 'DOMESTIC_ABUSE_INCIDENT',
  MISSING_EPISODE = 'MISSING_EPISODE',
  SCHOOL_ABSENCE = 'SCHOOL_ABSENCE',
  UNSCHEDULED_CARE_ATTENDANCE = 'UNSCHEDULED_CARE_ATTENDANCE',
  APPOINTMENT_MISSED = 'APPOINTMENT_MISSED',
  INJURY = 'INJURY',
  REFERRAL = 'REFERRAL',
  ASSESSMENT = 'ASSESSMENT',
  MEETING = 'MEETING',
  PLAN_CHANGE = 'PLAN_CHANGE',
  NOTE = 'NOTE',
}
export enum Severity {
  INFO = 'INFO',
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  CRITICAL = 'CRITICAL',
}
export enum Visibility {
  NETWORK = 'NETWORK',
  AGENCY = 'AGENCY',
  RESTRICTED = 'RESTRICTED',
}
registerEnumType(EventKind, { name: 'EventKind' });
registerEnumType(Severity, { name: 'Severity' });
registerEnumType(Visibility, { name: 'Visibility' });
