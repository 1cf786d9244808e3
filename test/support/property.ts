/**
 * How many generated cases a property test draws. fast-check seeds every run afresh, so each run
 * of the suite tries new cases: the suite keeps the counts small, and a deep pass multiplies them
 * (`npm run test:deep`, or `HEARTH_PROPERTY_SCALE=20 npm test -- <files>`).
 */
export function propertyRuns(inTheSuite: number): number {
  return Math.max(1, Math.round(inTheSuite * scale()));
}

/** A property test's timeout, grown with the number of cases it draws. */
export function propertyTimeout(inTheSuite: number): number {
  return Math.round(inTheSuite * Math.max(1, scale()));
}

function scale(): number {
  const value = Number(process.env['HEARTH_PROPERTY_SCALE'] ?? 1);
  if (!Number.isFinite(value) || value <= 0) throw new Error('HEARTH_PROPERTY_SCALE must be a positive number');
  return value;
}
