import type { TestApp } from './test-app.js';
import { openSessions, type Session } from './session.js';

export const DEMO_USERS = [
  'sam.social',
  'mia.manager',
  'pat.police',
  'dee.school',
  'hal.health',
  'ada.admin',
  'aud.auditor',
  'pam.partner',
] as const;
export type DemoUser = (typeof DEMO_USERS)[number];

/**
 * Sessions for every demo account (opened without a password check: see `openSessions`), and the
 * demo families by reference.
 */
export async function demoWorld(
  app: TestApp,
): Promise<{ sessions: Record<DemoUser, Session>; families: Record<string, string> }> {
  const opened = await openSessions(app, DEMO_USERS);
  const sessions = Object.fromEntries(DEMO_USERS.map((who, i) => [who, opened[i]!])) as Record<DemoUser, Session>;
  const { rows } = await query<{ id: string; reference: string }>(app, `SELECT id, reference FROM families`);
  return { sessions, families: Object.fromEntries(rows.map((r) => [r.reference, r.id])) };
}

/** Direct SQL on the test file's database, for arranging what the API cannot (an expired membership). */
export async function query<T>(app: TestApp, sql: string, params: unknown[] = []): Promise<{ rows: T[] }> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: app.database.url });
  await client.connect();
  try {
    const result = await client.query(sql, params);
    return { rows: result.rows as T[] };
  } finally {
    await client.end();
  }
}
