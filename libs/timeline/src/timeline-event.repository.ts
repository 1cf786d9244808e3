import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { EventKind } from './timeline.enums.js';

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
 * Aggregates over `timeline_events` for other libs (the alert rules): SQL over indexed columns,
 * never a timeline loaded into memory, and never the summary or body.
 */
@Injectable()
export class TimelineEventRepository {
  /**
   * The family's original events of these kinds at `minSeverity` or above (by its place in
   * `severityOrder`), that occurred in the `days` up to `at`, oldest first.
   */
  async countInWindow(
    manager: EntityManager,
    window: {
      familyId: string;
      kinds: readonly string[];
      severityOrder: readonly string[];
      minSeverity: string;
      at: Date;
      days: number;
    },
  ): Promise<EventWindow | undefined> {
    const rows: EventWindow[] = await manager.query(
      `SELECT count(*)::int AS n, count(DISTINCT agency_id)::int AS agencies,
              array_agg(id ORDER BY occurred_at, id) AS ids, array_agg(kind ORDER BY occurred_at, id) AS kinds, min(occurred_at) AS first
       FROM timeline_events
       WHERE family_id = $1 AND kind = ANY($2) AND array_position($3::text[], severity) >= $4
         AND occurred_at > $5::timestamptz - make_interval(days => $6) AND occurred_at <= $5 AND amends_event_id IS NULL`,
      [
        window.familyId,
        window.kinds,
        window.severityOrder,
        window.severityOrder.indexOf(window.minSeverity) + 1,
        window.at,
        window.days,
      ],
    );
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
