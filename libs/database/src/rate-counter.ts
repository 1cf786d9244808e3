/** Anything that runs SQL: a DataSource, an EntityManager, a QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A limit: at most `limit` hits per key in a window of `windowSeconds` from its first hit. */
export interface RateLimit {
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Hits in the current window, this one included. */
  readonly hits: number;
  /** Seconds until the window ends (at least 1). */
  readonly retryAfterSeconds: number;
  /** The window this hit was counted in (a refund goes back to it). */
  readonly windowStart: Date;
}

/**
 * One statement for the hits of one act, on one counter row per key: PostgreSQL serialises
 * concurrent hits on a row, so N concurrent callers against a limit of M < N see counts 1…N and
 * exactly M are allowed. The rows are taken in key order, so two acts hitting the same keys cannot
 * deadlock. A window starts with the first hit after the last one ended (so a burst never
 * straddles two windows). Count first, then do the work: a hit is never undone by someone else's
 * outcome. Run it outside the caller's transaction, so a rolled-back act still counts.
 */
const hit = (flushWait: boolean) => `
  INSERT INTO rate_counters AS c (key, hits, window_start, expires_at)
  SELECT h.key, h.weight, clock_timestamp(), clock_timestamp() + make_interval(secs => h.seconds)
  FROM unnest($1::text[], $2::int[], $3::int[]) AS h(key, seconds, weight)${
    flushWait
      ? ''
      : `
  CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait`
  }
  ORDER BY h.key
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.hits ELSE c.hits + EXCLUDED.hits END,
    window_start = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.window_start ELSE c.window_start END,
    expires_at = CASE WHEN c.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE c.expires_at END
  RETURNING key, hits, window_start, greatest(1, ceil(extract(epoch FROM expires_at - clock_timestamp())))::int AS retry_after`;
const HIT = hit(true);
const HIT_NO_FLUSH_WAIT = hit(false);

export interface HitOptions {
  /**
   * false: the hit's COMMIT does not wait for the WAL to reach disk (`synchronous_commit = off`
   * for the hit's own statement, which must then run on its own, outside any transaction: in one
   * it would hold for the rest of that transaction). The count is as atomic and as visible to every
   * node at once; a crash of PostgreSQL may forget the hits of its last ~600 ms, which only makes
   * the limit that much lighter once. For a limit counted on every request (the mutation limits),
   * where the wait is most of what the count costs. Default true.
   */
  readonly flushWait?: boolean;
}

/** One key to count a hit on, under its limit. */
export interface RateHit {
  readonly key: string;
  readonly rule: RateLimit;
  readonly weight?: number;
}

export async function hitRateLimit(
  db: Queryable,
  key: string,
  rule: RateLimit,
  weight = 1,
  options: HitOptions = {},
): Promise<RateDecision> {
  const [decision] = await hitRateLimits(db, [{ key, rule, weight }], options);
  return decision!;
}

/** Counts a hit on each key (all different) in one statement; the decisions in the order given. */
export async function hitRateLimits(
  db: Queryable,
  hits: readonly RateHit[],
  options: HitOptions = {},
): Promise<RateDecision[]> {
  if (hits.length === 0) return [];
  if (new Set(hits.map((h) => h.key)).size !== hits.length) throw new Error('hitRateLimits: a key is given twice');
  const text = options.flushWait === false ? HIT_NO_FLUSH_WAIT : HIT;
  const rows = (await db.query(text, [
    hits.map((h) => h.key),
    hits.map((h) => h.rule.windowSeconds),
    hits.map((h) => h.weight ?? 1),
  ])) as { key: string; hits: number; window_start: Date; retry_after: number }[];
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return hits.map(({ key, rule }) => {
    const row = byKey.get(key)!;
    return {
      allowed: row.hits <= rule.limit,
      hits: row.hits,
      retryAfterSeconds: row.retry_after,
      windowStart: row.window_start,
    };
  });
}

const REFUND = `UPDATE rate_counters SET hits = greatest(0, hits - $3::int) WHERE key = $1 AND window_start = $2`;

/**
 * Gives back the caller's own hit (a successful login is not a failure). It takes back one hit,
 * never the others': a concurrent success cannot wipe concurrent failures.
 */
export async function refundRateLimit(db: Queryable, key: string, hit: RateDecision, weight = 1): Promise<void> {
  await db.query(REFUND, [key, hit.windowStart, weight]);
}

/** Windows that have ended; the housekeeping job deletes them. */
export async function deleteExpiredRateCounters(db: Queryable): Promise<void> {
  await db.query(`DELETE FROM rate_counters WHERE expires_at < now()`);
}
