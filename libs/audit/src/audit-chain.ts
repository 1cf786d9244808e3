import { createHash } from 'node:crypto';

/** The hash an empty chain starts from: the first seal's prev_hash. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the serialisation, so that a future change of format is a new tag, not a silent break. */
export const CHAIN_FORMAT = 'hearth-audit-v1';

/**
 * Every column of an entry in PostgreSQL's own text form, so the chain does not depend on how a
 * driver parses values: uuid lower-case, time in UTC to the millisecond, jsonb in its normalised
 * text, arrays in PostgreSQL's array syntax. Selected from `audit_entries e`.
 */
export const CHAIN_COLUMNS = `
  e.id::text AS id,
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
  e.actor_id::text AS actor_id,
  e.actor_agency_id::text AS actor_agency_id,
  e.actor_roles::text AS actor_roles,
  e.action::text AS action,
  e.outcome::text AS outcome,
  e.subject_type,
  e.subject_id,
  e.family_id::text AS family_id,
  e.person_id::text AS person_id,
  e.reason,
  e.detail::text AS detail,
  e.request_id,
  e.client_address,
  e.user_agent,
  e.txid::text AS txid`;

export interface ChainEntry {
  readonly id: string;
  readonly at: string;
  readonly actor_id: string | null;
  readonly actor_agency_id: string | null;
  readonly actor_roles: string;
  readonly action: string;
  readonly outcome: string;
  readonly subject_type: string | null;
  readonly subject_id: string | null;
  readonly family_id: string | null;
  readonly person_id: string | null;
  readonly reason: string | null;
  readonly detail: string | null;
  readonly request_id: string | null;
  readonly client_address: string | null;
  readonly user_agent: string | null;
  readonly txid: string;
}

/** A JSON array of the format tag and every column in a fixed order: unambiguous, with escapes. */
export function canonicalEntry(entry: ChainEntry): string {
  return JSON.stringify([
    CHAIN_FORMAT,
    entry.id,
    entry.at,
    entry.actor_id,
    entry.actor_agency_id,
    entry.actor_roles,
    entry.action,
    entry.outcome,
    entry.subject_type,
    entry.subject_id,
    entry.family_id,
    entry.person_id,
    entry.reason,
    entry.detail,
    entry.request_id,
    entry.client_address,
    entry.user_agent,
    entry.txid,
  ]);
}

/** sha256 over the previous hash (64 hex characters) followed by the canonical entry, in UTF-8. */
export function chainHash(prevHash: string, entry: ChainEntry): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalEntry(entry), 'utf8').digest('hex');
}
