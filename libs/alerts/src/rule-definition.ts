import { z } from 'zod';

const EVENT_KINDS = [
  'CONCERN',
  'INCIDENT',
  'DOMESTIC_ABUSE_INCIDENT',
  'MISSING_EPISODE',
  'SCHOOL_ABSENCE',
  'UNSCHEDULED_CARE_ATTENDANCE',
  'APPOINTMENT_MISSED',
  'INJURY',
  'REFERRAL',
  'ASSESSMENT',
  'MEETING',
  'PLAN_CHANGE',
  'NOTE',
] as const;
const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const AGENCY_KINDS = [
  'SOCIAL_CARE',
  'POLICE',
  'HEALTH',
  'EDUCATION',
  'HOUSING',
  'PROBATION',
  'YOUTH_JUSTICE',
  'VOLUNTARY',
  'OTHER',
] as const;
const PROTECTION = ['NONE', 'EARLY_HELP', 'CHILD_IN_NEED', 'CHILD_PROTECTION_PLAN', 'LOOKED_AFTER'] as const;

export const SEVERITY_ORDER: readonly string[] = SEVERITIES;

/** Who is told: the family's lead, the whole network, network members of an agency kind, or its managers. */
export const recipientSchema = z.union([
  z.literal('LEAD'),
  z.literal('NETWORK'),
  z.literal('MANAGERS'),
  z.strictObject({ agencyKind: z.enum(AGENCY_KINDS) }),
]);
export type Recipient = z.infer<typeof recipientSchema>;

const common = {
  rag: z.enum(['RED', 'AMBER', 'GREEN']),
  recipients: z.array(recipientSchema).min(1).max(5),
  /** Hours to acknowledge; default by RAG (RED 4, AMBER 24, GREEN 72). */
  acknowledgeWithinHours: z.number().int().min(1).max(720).optional(),
};
const kinds = z.array(z.enum(EVENT_KINDS)).min(1);

export const ruleDefinitionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('THRESHOLD'),
    eventKinds: kinds,
    minSeverity: z.enum(SEVERITIES).default('INFO'),
    minCount: z.number().int().min(1).max(100),
    minAgencies: z.number().int().min(1).max(20).default(1),
    windowDays: z.number().int().min(1).max(3650),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('TRIGGER'),
    eventKinds: kinds,
    postedByAgencyKinds: z.array(z.enum(AGENCY_KINDS)).min(1).optional(),
    concernsChild: z.boolean().default(false),
    childUnderMonths: z.number().int().min(1).max(216).optional(),
    familyProtectionStatuses: z.array(z.enum(PROTECTION)).min(1).optional(),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('SEQUENCE'),
    first: kinds,
    then: kinds,
    withinDays: z.number().int().min(1).max(3650),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('ABSENCE'),
    familyProtectionStatuses: z.array(z.enum(PROTECTION)).min(1),
    days: z.number().int().min(1).max(365),
    ...common,
  }),
  z.strictObject({
    kind: z.literal('NETWORK_GAP'),
    agencyKinds: z.array(z.enum(AGENCY_KINDS)).min(1),
    familyProtectionStatuses: z.array(z.enum(PROTECTION)).min(1),
    ...common,
  }),
]);
export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;
export type RuleKind = RuleDefinition['kind'];

export const DEFAULT_ACK_HOURS = { RED: 4, AMBER: 24, GREEN: 72 } as const;
