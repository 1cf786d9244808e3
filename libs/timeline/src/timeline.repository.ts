import type { EntityManager } from 'typeorm';
import { abilityToSql, type FieldMap, type HearthAbility, type Principal, type SqlCondition } from '@hearth/authz';
import { agencyJoin, type AgencyKind } from '@hearth/identity';
import { contactCard, contactCardJoin, type CardRow } from '@hearth/network';
import type { EventKind, Severity, Visibility } from './timeline.enums.js';
import type { TimelineEventModel } from './timeline.models.js';

/** The columns the ability's conditions on TimelineEvent refer to. */
export const EVENT_FIELDS: FieldMap = {
  familyId: { sql: 'e.family_id', type: 'uuid' },
  visibility: { sql: 'e.visibility', type: 'text' },
  agencyId: { sql: 'e.agency_id', type: 'uuid' },
  authorId: { sql: 'e.author_id', type: 'uuid' },
  audienceUserIds: { sql: 'e.audience_user_ids', type: 'uuid', array: true },
  audienceAgencyIds: { sql: 'e.audience_agency_ids', type: 'uuid', array: true },
};

export interface EventRow {
  id: string;
  family_id: string;
  kind: EventKind;
  severity: Severity;
  occurred_at: Date;
  recorded_at: Date;
  agency_id: string;
  author_id: string;
  visibility: Visibility;
  amends_event_id: string | null;
  content_visible: boolean;
  summary: string | null;
  body: string | null;
  amendment_reason: string | null;
}

/** An event row with its author's contact card and its agency, as `withCards` reads them. */
export interface CardedEventRow extends EventRow {
  author_card: Omit<CardRow, 'family_id'> | null;
  event_agency_name: string;
  event_agency_kind: AgencyKind;
}

/**
 * The rows of an event select (`events`, aliased `ev`) with each one's author card and agency, in
 * the same statement: a page shows who wrote each event without a second round trip.
 */
export function withCards(events: string, tail: string): string {
  return `SELECT ev.*, to_jsonb(card) AS author_card, agency.name AS event_agency_name, agency.kind AS event_agency_kind
          FROM (${events}) ev
          ${contactCardJoin('card', 'ev.family_id', 'ev.author_id')}
          ${agencyJoin('agency', 'ev.agency_id')}
          ${tail}`;
}

/**
 * Events the `read` condition allows, with summary, body and reason only where the
 * `readContent` condition holds: redaction happens in SQL, so hidden content never leaves the
 * database. `where` may use $1…; the conditions' parameters follow.
 */
export function eventSelect(read: SqlCondition, content: SqlCondition, where: string, tail: string): string {
  return `SELECT e.id, e.family_id, e.kind, e.severity, e.occurred_at, e.recorded_at, e.agency_id, e.author_id, e.visibility,
            e.amends_event_id, v.content_visible,
            CASE WHEN v.content_visible THEN e.summary END AS summary,
            CASE WHEN v.content_visible THEN e.body END AS body,
            CASE WHEN v.content_visible THEN e.amendment_reason END AS amendment_reason
          FROM timeline_events e
          CROSS JOIN LATERAL (SELECT COALESCE(${content.sql}, FALSE) AS content_visible) v
          WHERE ${where} AND ${read.sql}
          ${tail}`;
}

/** An event without who wrote it: what the services check before changing anything. */
export type EventFacts = Omit<TimelineEventModel, 'author' | 'agency'>;

/**
 * An event as the viewer sees it, with its author's card (masked for a sensitive member of another
 * agency) and its agency (null exactly when the card is masked: one rule, the card's).
 */
export function toEventModel(row: CardedEventRow, viewer: Principal): TimelineEventModel {
  if (!row.author_card) throw new Error(`no user for contact card ${row.family_id}:${row.author_id}`);
  const author = contactCard(row.author_card, viewer);
  const agency =
    author.agency === null ? null : { id: row.agency_id, name: row.event_agency_name, kind: row.event_agency_kind };
  return { ...toEventFacts(row), author, agency };
}

export function toEventFacts(row: EventRow): EventFacts {
  return {
    id: row.id,
    familyId: row.family_id,
    agencyId: row.agency_id,
    authorId: row.author_id,
    amendsEventId: row.amends_event_id,
    kind: row.kind,
    severity: row.severity,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    visibility: row.visibility,
    redacted: !row.content_visible,
    summary: row.content_visible ? row.summary : null,
    body: row.content_visible ? row.body : null,
    amendmentReason: row.content_visible ? row.amendment_reason : null,
  };
}

/** An event as the ability's conditions on TimelineEvent see it (the fields of EVENT_FIELDS). */
export function eventFields(row: {
  family_id: string;
  visibility: Visibility;
  agency_id: string;
  author_id: string;
  audience_user_ids: readonly string[] | null;
  audience_agency_ids: readonly string[] | null;
}): Record<string, unknown> {
  return {
    familyId: row.family_id,
    visibility: row.visibility,
    agencyId: row.agency_id,
    authorId: row.author_id,
    audienceUserIds: [...(row.audience_user_ids ?? [])],
    audienceAgencyIds: [...(row.audience_agency_ids ?? [])],
  };
}

/** An event query for one ability: `where` and `tail` use $1…$n for `params`; the filters follow. */
export function eventQuery(
  ability: HearthAbility,
  where: string,
  params: unknown[],
  tail: string,
): { sql: string; params: unknown[] } {
  const read = abilityToSql(ability, 'read', 'TimelineEvent', EVENT_FIELDS, params.length + 1);
  const content = abilityToSql(
    ability,
    'readContent',
    'TimelineEvent',
    EVENT_FIELDS,
    params.length + read.params.length + 1,
  );
  return { sql: eventSelect(read, content, where, tail), params: [...params, ...read.params, ...content.params] };
}

/** An event as the ability's conditions see it: who its content is for. */
export interface EventAudience {
  readonly id: string;
  readonly familyId: string;
  readonly visibility: Visibility;
  readonly agencyId: string;
  readonly authorId: string;
  readonly audienceUserIds: readonly string[];
  readonly audienceAgencyIds: readonly string[];
}

/** The audience fields of events, for deciding who may be told of their content. */
export async function eventAudiences(manager: EntityManager, ids: readonly string[]): Promise<EventAudience[]> {
  if (ids.length === 0) return [];
  const rows: {
    id: string;
    family_id: string;
    visibility: Visibility;
    agency_id: string;
    author_id: string;
    audience_user_ids: string[] | null;
    audience_agency_ids: string[] | null;
  }[] = await manager.query(
    `SELECT id, family_id, visibility, agency_id, author_id, audience_user_ids, audience_agency_ids
     FROM timeline_events WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    familyId: r.family_id,
    visibility: r.visibility,
    agencyId: r.agency_id,
    authorId: r.author_id,
    audienceUserIds: r.audience_user_ids ?? [],
    audienceAgencyIds: r.audience_agency_ids ?? [],
  }));
}
