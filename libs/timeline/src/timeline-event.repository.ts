import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@hearth/database';
import type { HearthAbility } from '@hearth/authz';
import type { PersonRow } from '@hearth/network';
import { PERSON_COLUMNS } from '@hearth/network';
import type { EventKind, Severity, Visibility } from './timeline.enums.js';
import { eventQuery, withCards, type CardedEventRow, type EventRow } from './timeline.repository.js';

/** An event as posted. */
export interface NewEvent {
  readonly familyId: string;
  readonly kind: EventKind;
  readonly severity: Severity;
  readonly occurredAt: Date;
  readonly agencyId: string;
  readonly authorId: string;
  /** Null: the agency's policy for the kind. */
  readonly visibility: Visibility | null;
  readonly audienceUserIds: readonly string[];
  readonly audienceAgencyIds: readonly string[];
  readonly summary: string;
  readonly body: string | null;
  /** The persons it is about (checked to be of the family). */
  readonly subjectIds: readonly string[];
}

/** An event as `insert` wrote it: every column, before anyone's redaction, with its author's card and agency. */
export type InsertedEvent = Omit<CardedEventRow, 'content_visible'> & {
  audience_user_ids: string[];
  audience_agency_ids: string[];
};

/** An amendment: what it changes (null: unchanged) and why. */
export interface NewAmendment {
  readonly originalId: string;
  readonly severity: Severity | null;
  readonly agencyId: string;
  readonly authorId: string;
  readonly summary: string | null;
  /** Whether the body changes (to `body`, which may be null). */
  readonly replacesBody: boolean;
  readonly body: string | null;
  readonly reason: string;
}

/** Original events (not amendments) of some kinds in a window: how many, from how many agencies. */
export interface EventWindow {
  n: number;
  agencies: number;
  ids: string[] | null;
  kinds: EventKind[] | null;
  first: Date | null;
}

/** When a family last had anything recorded. */
export interface LastRecorded {
  family_id: string;
  last: Date | null;
}

/**
 * Timeline events (`timeline_events`), the persons they are about (`event_subjects`) and who
 * acknowledged them (`event_acknowledgements`). Reads for a caller take their ability: the
 * event query filters and redacts in SQL. The aggregates for other libs (the alert rules) run
 * over indexed columns, never a timeline loaded into memory, and never read the summary or body.
 */
/** What a timeline page may be narrowed to (the filters of `timeline(filter:)`). */
export interface TimelinePageFilter {
  readonly kinds?: readonly string[] | null;
  readonly agencyId?: string | null;
  readonly subjectId?: string | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
  /** Authors whose agency the viewer may not know: an agency filter never matches them. */
  readonly excludedAuthorIds?: readonly string[];
}

/**
 * The statement of `TimelineEventRepository.page`: one text for a first page, one after a cursor.
 * The limit is written into the text: under a generic plan `LIMIT $n` is planned as a tenth of
 * the family's events, and a sort of all of them then looks cheaper than walking the index.
 */
export function pageStatement(
  ability: HearthAbility,
  familyId: string,
  after: readonly unknown[] | undefined,
  limit: number,
  filter: TimelinePageFilter = {},
): { sql: string; params: unknown[] } {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`bad page limit ${limit}`);
  // Only the filters in use are in the text (each combination its own statement): a generic plan
  // cannot tell that `$n IS NULL OR …` lets every row through, and would expect a handful.
  const params: unknown[] = [familyId];
  const where = ['e.family_id = $1'];
  const param = (value: unknown, type: string) => `$${params.push(value)}::${type}`;
  if (after) where.push(`(e.recorded_at, e.id) < (${param(after[0], 'timestamptz')}, ${param(after[1], 'uuid')})`);
  if (filter.kinds?.length) where.push(`e.kind::text = ANY(${param(filter.kinds, 'text[]')})`);
  if (filter.agencyId) {
    where.push(
      `e.agency_id = ${param(filter.agencyId, 'uuid')} AND NOT (e.author_id = ANY(${param(filter.excludedAuthorIds ?? [], 'uuid[]')}))`,
    );
  }
  if (filter.subjectId) {
    where.push(
      `EXISTS (SELECT 1 FROM event_subjects s WHERE s.event_id = e.id AND s.person_id = ${param(filter.subjectId, 'uuid')})`,
    );
  }
  if (filter.from) where.push(`e.occurred_at >= ${param(filter.from, 'timestamptz')}`);
  if (filter.to) where.push(`e.occurred_at < ${param(filter.to, 'timestamptz')}`);
  const query = eventQuery(
    ability,
    where.join(' AND '),
    params,
    `ORDER BY e.recorded_at DESC, e.id DESC LIMIT ${limit}`,
  );
  return { sql: withCards(query.sql, 'ORDER BY ev.recorded_at DESC, ev.id DESC'), params: query.params };
}

export interface EventWindowQuery {
  familyId: string;
  kinds: readonly string[];
  severityOrder: readonly string[];
  minSeverity: string;
  at: Date;
  days: number;
  shown: number;
  unlessFirst: Date | null;
}

/**
 * The family's original events of these kinds at `minSeverity` or above (by its place in
 * `severityOrder`), that occurred in the `days` up to `at`: the first's time, and how many, from
 * how many agencies, and the ids and kinds of the oldest `shown` of them, oldest first (a rule
 * re-evaluated on every post must not carry every event of a busy window back and forth).
 *
 * The first is found from the kind-and-time index, a few rows per kind. When it is `unlessFirst`
 * to the millisecond, as a JavaScript date holds it (a window whose outcome the caller already
 * knows), nothing is counted: `n` and `agencies` are 0 and `ids` null, and a post to a busy family
 * does not read its whole window again.
 */
export function windowStatement(window: EventWindowQuery): { sql: string; params: unknown[] } {
  return {
    sql: `WITH f AS (
         SELECT min(k.occurred_at) AS first FROM unnest($2::text[]) AS q(kind)
         CROSS JOIN LATERAL (
           SELECT occurred_at FROM timeline_events
           WHERE family_id = $1 AND kind = q.kind AND array_position($3::text[], severity) >= $4
             AND occurred_at > $5::timestamptz - make_interval(days => $6) AND occurred_at <= $5 AND amends_event_id IS NULL
           ORDER BY occurred_at LIMIT 1) k),
       w AS (
         SELECT id, kind, agency_id, occurred_at FROM timeline_events
         WHERE date_trunc('milliseconds', (SELECT first FROM f)) IS DISTINCT FROM $8::timestamptz AND (SELECT first FROM f) IS NOT NULL
           AND family_id = $1 AND kind = ANY($2) AND array_position($3::text[], severity) >= $4
           AND occurred_at > $5::timestamptz - make_interval(days => $6) AND occurred_at <= $5 AND amends_event_id IS NULL)
       SELECT (SELECT first FROM f) AS first, c.n, c.agencies, s.ids, s.kinds
       FROM (SELECT count(*)::int AS n, count(DISTINCT agency_id)::int AS agencies FROM w) c,
            (SELECT array_agg(id ORDER BY occurred_at, id) AS ids, array_agg(kind ORDER BY occurred_at, id) AS kinds
             FROM (SELECT id, kind, occurred_at FROM w ORDER BY occurred_at, id LIMIT $7) oldest) s`,
    params: [
      window.familyId,
      window.kinds,
      window.severityOrder,
      window.severityOrder.indexOf(window.minSeverity) + 1,
      window.at,
      window.days,
      window.shown,
      window.unlessFirst,
    ],
  };
}

@Injectable()
export class TimelineEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A page of the family's timeline as the ability sees it, newest recorded first, strictly after
   * the (recorded_at, id) key, with each event's author card and agency. The filters only narrow
   * what the ability's condition allows. A prepared statement: the first page and a page after a
   * cursor are two texts, so that under a generic plan the cursor stays a condition of the index
   * scan (with `$n IS NULL OR …` it would become a filter over every newer row).
   */
  page(
    manager: EntityManager,
    ability: HearthAbility,
    familyId: string,
    after: readonly unknown[] | undefined,
    limit: number,
    filter: TimelinePageFilter = {},
  ): Promise<CardedEventRow[]> {
    const statement = pageStatement(ability, familyId, after, limit, filter);
    return preparedQuery(manager, statement.sql, statement.params);
  }

  /** Everyone who has posted in the family on behalf of an agency. */
  async authorsFor(manager: EntityManager, familyId: string, agencyId: string): Promise<string[]> {
    const rows: { author_id: string }[] = await manager.query(
      `SELECT DISTINCT author_id FROM timeline_events WHERE family_id = $1 AND agency_id = $2`,
      [familyId, agencyId],
    );
    return rows.map((r) => r.author_id);
  }

  /** Of these events, those the ability lets the caller see, with their author cards and agencies. */
  visible(manager: EntityManager, ability: HearthAbility, ids: readonly string[]): Promise<CardedEventRow[]> {
    const query = eventQuery(ability, 'e.id = ANY($1)', [ids], '');
    return manager.query(withCards(query.sql, ''), query.params);
  }

  /** The event if the ability lets the caller see it, locked until the transaction ends. */
  async lockVisible(manager: EntityManager, ability: HearthAbility, id: string): Promise<EventRow | undefined> {
    const query = eventQuery(ability, 'e.id = $1', [id], 'FOR UPDATE OF e');
    const rows: EventRow[] = await manager.query(query.sql, query.params);
    return rows[0];
  }

  /**
   * Posts an event and the persons it is about, in one statement; the row as written (its content
   * as stored: whoever answers decides who sees it), with its author's card and agency. A null visibility is the agency's policy for
   * the kind, or NETWORK (a policy is never RESTRICTED).
   */
  async insert(manager: EntityManager, event: NewEvent): Promise<InsertedEvent> {
    const rows = await preparedQuery<InsertedEvent>(
      manager,
      `WITH e AS (
         INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility,
                                      audience_user_ids, audience_agency_ids, summary, body)
         VALUES ($1, $2, $3, $4, $5, $6,
                 COALESCE($7::text, (SELECT p.visibility FROM sharing_policies p WHERE p.agency_id = $5 AND p.event_kind = $2::text), 'NETWORK'),
                 $8, $9, $10, $11)
         RETURNING id, family_id, kind, severity, occurred_at, recorded_at, agency_id, author_id, visibility,
                   audience_user_ids, audience_agency_ids, amends_event_id, summary, body, amendment_reason),
       subjects AS (
         INSERT INTO event_subjects (family_id, event_id, person_id) SELECT e.family_id, e.id, unnest($12::uuid[]) FROM e)
       ${withCards('SELECT * FROM e', '')}`,
      [
        event.familyId,
        event.kind,
        event.severity,
        event.occurredAt,
        event.agencyId,
        event.authorId,
        event.visibility,
        event.audienceUserIds,
        event.audienceAgencyIds,
        event.summary,
        event.body,
        event.subjectIds,
      ],
    );
    return rows[0]!;
  }

  /** Records an amendment of an event (the original stays as it was); its id. */
  async insertAmendment(manager: EntityManager, amendment: NewAmendment): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility, audience_user_ids,
                                    audience_agency_ids, summary, body, amends_event_id, amendment_reason)
       SELECT family_id, kind, COALESCE($2, severity), occurred_at, $3, $4, visibility, audience_user_ids, audience_agency_ids,
              COALESCE($5, summary), CASE WHEN $6::boolean THEN $7 ELSE body END, id, $8
       FROM timeline_events WHERE id = $1 RETURNING id`,
      [
        amendment.originalId,
        amendment.severity,
        amendment.agencyId,
        amendment.authorId,
        amendment.summary,
        amendment.replacesBody,
        amendment.body,
        amendment.reason,
      ],
    );
    return rows[0]!.id;
  }

  /** The amendment is about the same persons as the original. */
  async copySubjects(manager: EntityManager, fromEventId: string, toEventId: string): Promise<void> {
    await manager.query(
      `INSERT INTO event_subjects (family_id, event_id, person_id) SELECT family_id, $2, person_id FROM event_subjects WHERE event_id = $1`,
      [fromEventId, toEventId],
    );
  }

  /**
   * The persons the events the ability lets the caller see are about, each as a member of the
   * event's family. Persons are network's; reading them in the same statement keeps a page's
   * subjects one query.
   */
  subjectsOfVisible(
    manager: EntityManager,
    ability: HearthAbility,
    eventIds: readonly string[],
  ): Promise<(PersonRow & { event_id: string })[]> {
    const query = eventQuery(ability, 'e.id = ANY($1)', [eventIds], '');
    return manager.query(
      `SELECT s.event_id, ${PERSON_COLUMNS}
       FROM (${query.sql}) visible
       JOIN event_subjects s ON s.event_id = visible.id
       JOIN family_memberships fm ON fm.family_id = s.family_id AND fm.person_id = s.person_id
       JOIN persons p ON p.id = s.person_id
       ORDER BY s.event_id, p.family_name, p.given_name`,
      query.params,
    );
  }

  /** Records that the user acknowledged the event; whether they had not already. */
  async acknowledge(manager: EntityManager, familyId: string, eventId: string, userId: string): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO event_acknowledgements (family_id, event_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id`,
      [familyId, eventId, userId],
    );
    return inserted.length > 0;
  }

  /** Who acknowledged these events, in order. */
  acknowledgers(eventIds: readonly string[]): Promise<{ event_id: string; user_id: string }[]> {
    return this.dataSource.query(
      `SELECT event_id, user_id FROM event_acknowledgements WHERE event_id = ANY($1) ORDER BY acknowledged_at`,
      [eventIds],
    );
  }
  /** The window of a THRESHOLD rule: see `windowStatement`. */
  async countInWindow(manager: EntityManager, window: EventWindowQuery): Promise<EventWindow | undefined> {
    const statement = windowStatement(window);
    const rows = await preparedQuery<EventWindow>(manager, statement.sql, statement.params);
    return rows[0];
  }

  /** The latest original event of these kinds, other than `exceptId`, in the `days` up to `at`. */
  async latestInWindow(
    manager: EntityManager,
    window: { familyId: string; kinds: readonly string[]; exceptId: string; at: Date; days: number },
  ): Promise<{ id: string; kind: EventKind } | undefined> {
    const rows: { id: string; kind: EventKind }[] = await manager.query(
      `SELECT id, kind FROM timeline_events
       WHERE family_id = $1 AND kind = ANY($2) AND id <> $3 AND amends_event_id IS NULL
         AND occurred_at >= $4::timestamptz - make_interval(days => $5) AND occurred_at <= $4
       ORDER BY occurred_at DESC LIMIT 1`,
      [window.familyId, window.kinds, window.exceptId, window.at, window.days],
    );
    return rows[0];
  }

  /** When each family last had an event recorded (null: never). */
  lastRecorded(manager: EntityManager, familyIds: readonly string[]): Promise<LastRecorded[]> {
    return manager.query(
      `SELECT f.family_id, (SELECT max(recorded_at) FROM timeline_events e WHERE e.family_id = f.family_id) AS last
       FROM unnest($1::uuid[]) AS f(family_id)`,
      [familyIds],
    );
  }
}
