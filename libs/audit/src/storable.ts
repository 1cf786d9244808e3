import type { AuditDetail, AuditDetailValue } from './audit-entry.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const DETAIL_STRING_MAX = 1000;
const DETAIL_DEPTH_MAX = 5;
export const DETAIL_BYTES_MAX = 16_384;

/**
 * Text as PostgreSQL can store it, otherwise unchanged: NUL (which text and jsonb refuse) becomes
 * U+2400 ␀ and a lone surrogate U+FFFD. Newlines, other control characters and ANSI escapes stay
 * as they are; they are data, bound as query parameters, and never reach a log line raw.
 */
export function storable(value: string, max: number): string {
  let text = value.replaceAll('\0', '\u2400').replace(LONE_SURROGATE, '\uFFFD');
  if (text.length > max) text = text.slice(0, max - 1).replace(LONE_SURROGATE, '\uFFFD') + '…';
  return text;
}

export function storableOrNull(value: string | null | undefined, max: number): string | null {
  return value === null || value === undefined ? null : storable(value, max);
}

/** The detail as JSON text for a jsonb parameter, made storable; throws when it is too large. */
export function storableDetail(detail: AuditDetail | null | undefined): string | null {
  if (detail === null || detail === undefined) return null;
  const json = JSON.stringify(clean(detail, 0));
  if (Buffer.byteLength(json) > DETAIL_BYTES_MAX) {
    throw new Error(`audit detail is larger than ${DETAIL_BYTES_MAX} bytes; record identifiers, not content`);
  }
  return json;
}

function clean(value: AuditDetailValue, depth: number): AuditDetailValue {
  if (typeof value === 'string') return storable(value, DETAIL_STRING_MAX);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value === 'boolean') return value;
  if (depth >= DETAIL_DEPTH_MAX) return '[nested too deep]';
  if (Array.isArray(value)) return (value as readonly AuditDetailValue[]).map((v) => clean(v, depth + 1));
  const out: Record<string, AuditDetailValue> = {};
  for (const [key, v] of Object.entries(value)) {
    Object.defineProperty(out, storable(key, 100), { value: clean(v, depth + 1), enumerable: true });
  }
  return out;
}
