import pg from 'pg';
import { TokenService } from '@hearth/identity';
import { graphqlData } from '@hearth/testing';
import type { TestApp } from './test-app.js';

export const DEMO_PASSWORD = 'hearth-demo';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly userId: string;
  readonly agencyId: string;
}

const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id agency { id } } }
}`;

/** Logs a demo user in (`sam.social` or a full email) over real HTTP. */
export async function login(baseUrl: string, who: string, password = DEMO_PASSWORD): Promise<Session> {
  const email = who.includes('@') ? who : `${who}@demo.hearth`;
  const data = await graphqlData<{
    login: { accessToken: string; refreshToken: string; user: { id: string; agency: { id: string } } };
  }>(baseUrl, { query: LOGIN, variables: { email, password } });
  return {
    accessToken: data.login.accessToken,
    refreshToken: data.login.refreshToken,
    userId: data.login.user.id,
    agencyId: data.login.user.agency.id,
  };
}

/** Where `openSessions` writes: a pool or a connected client of the test file's database. */
export interface Queryable {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

const OPEN_SESSION = `WITH account AS (
    SELECT u.id, u.agency_id FROM users u
    WHERE u.email = $1 AND NOT u.must_change_password
      AND NOT EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL)
  ), session AS (
    INSERT INTO sessions (user_id, expires_at) SELECT id, now() + make_interval(secs => $2) FROM account
    RETURNING id, user_id
  ), refresh AS (
    INSERT INTO refresh_tokens (session_id, token_hash) SELECT id, $3 FROM session
  )
  SELECT session.id AS session_id, account.id AS user_id, account.agency_id
  FROM session JOIN account ON account.id = session.user_id`;

/**
 * Sessions for accounts (`sam.social` or a full email) as a successful sign-in opens them — the
 * session row, a refresh token, an access token signed with the app's key — without checking a
 * password: argon2 costs ~190 ms of CPU a check, and most files only need to act as someone.
 * An account with a second step to sign in (an authenticator, a password to change) gets none;
 * a disabled one gets a session the app refuses, as it refuses its old ones. No LOGIN audit entry
 * is written: files about signing in use `login`.
 */
export async function openSessions(app: TestApp, who: readonly string[], db?: Queryable): Promise<Session[]> {
  // The app's own token service: the same keys, claims and lifetimes as a real sign-in.
  const tokens = app.hearth.app.get(TokenService);
  const open = async (on: Queryable, account: string): Promise<Session> => {
    const email = (account.includes('@') ? account : `${account}@demo.hearth`).toLowerCase();
    const refresh = tokens.newRefreshToken();
    const { rows } = await on.query(OPEN_SESSION, [email, tokens.refreshTokenTtlSeconds, refresh.hash]);
    const row = rows[0] as { session_id: string; user_id: string; agency_id: string } | undefined;
    if (!row) throw new Error(`${email} does not exist, or signs in with a second step`);
    const accessToken = await tokens.signAccessToken({ userId: row.user_id, sessionId: row.session_id });
    return { accessToken, refreshToken: refresh.token, userId: row.user_id, agencyId: row.agency_id };
  };
  if (db) return Promise.all(who.map((account) => open(db, account)));
  const client = new pg.Client({ connectionString: app.database.url });
  await client.connect();
  try {
    const sessions: Session[] = [];
    for (const account of who) sessions.push(await open(client, account));
    return sessions;
  } finally {
    await client.end();
  }
}

/** One session, as `openSessions` opens it. */
export async function openSession(app: TestApp, who: string, db?: Queryable): Promise<Session> {
  const [session] = await openSessions(app, [who], db);
  return session!;
}
