import { z } from 'zod';
import { badInput, uuid, validate } from '@hearth/errors';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditAction, type AuditOutcome } from './audit-action.js';
import type { AuditFilter } from './audit.repository.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

const time = z.union([
  z.date().refine((d) => !Number.isNaN(d.getTime()), { error: 'must be a valid time' }),
  z
    .string()
    .regex(ISO_TIME, { error: 'must be an ISO-8601 date or time with a zone, e.g. 2026-01-31T09:00:00Z' })
    .transform((v) => new Date(v))
    .refine((d) => !Number.isNaN(d.getTime()), { error: 'must be a valid time' }),
]);

const schema = z
  .strictObject({
    actorId: uuid.nullish(),
    agencyId: uuid.nullish(),
    familyId: uuid.nullish(),
    personId: uuid.nullish(),
    action: z
      .enum(AUDIT_ACTIONS as [AuditAction, ...AuditAction[]], { error: `must be one of ${AUDIT_ACTIONS.join(', ')}` })
      .nullish(),
    outcome: z
      .enum(AUDIT_OUTCOMES as [AuditOutcome, ...AuditOutcome[]], { error: 'must be ALLOWED or DENIED' })
      .nullish(),
    from: time.nullish(),
    to: time.nullish(),
  })
  .refine((f) => !f.from || !f.to || f.from.getTime() <= f.to.getTime(), {
    error: 'must not be before from',
    path: ['to'],
  });

/**
 * An auditor's filter from GraphQL (typed values) or a CSV export's query string (text): checked,
 * with unknown fields refused and every problem a BAD_USER_INPUT naming its field.
 */
export function parseAuditFilter(input: unknown): AuditFilter {
  if (input === null || input === undefined) return {};
  if (typeof input !== 'object') throw badInput('filter', 'must be an object');
  for (const [key, value] of Object.entries(input)) {
    if (Array.isArray(value)) throw badInput(key, 'may be given once');
  }
  const parsed = validate(schema, { ...input });
  const filter: { -readonly [K in keyof AuditFilter]: AuditFilter[K] } = {};
  for (const [key, value] of Object.entries(parsed) as Array<
    [keyof AuditFilter, AuditFilter[keyof AuditFilter] | null]
  >) {
    if (value !== null && value !== undefined) Object.assign(filter, { [key]: value });
  }
  return filter;
}

/** The filter as recorded in the auditor's own audit entry. */
export function describeFilter(filter: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === 'string') out[key] = value;
  }
  return out;
}
