/**
 * The signed-in session. The access token lives in memory only. The refresh token is kept in
 * sessionStorage (this tab only, gone when it closes) so a reload does not sign the user out;
 * it rotates on every use, and a reused one revokes the whole session on the server.
 */
const REFRESH_KEY = 'hearth.refresh';

export interface SessionUser {
  id: string;
  displayName: string;
  email: string;
  roles: string[];
  agency: { id: string; name: string; kind: string };
}

interface AuthPayload {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  user: SessionUser;
}

/** What a sign-in still needs after the password: a code from the authenticator, or a new password. */
export interface Challenge {
  token: string;
  step: 'MFA_CODE' | 'PASSWORD_CHANGE';
  expiresAt: string;
}

/** `login` and `completeLogin` answer a session, or (tokens null) the next step. */
type SignInPayload = { challenge: Challenge } | (AuthPayload & { challenge: null });

const USER_FIELDS = 'user { id displayName email roles agency { id name kind } }';

let accessToken: string | null = null;
let expiresAt = 0;
let user: SessionUser | null = null;
let refreshing: Promise<RefreshOutcome> | null = null;

/** `unreachable`: the server did not answer (restarting); keep the session and try again later. */
export type RefreshOutcome = 'ok' | 'refused' | 'unreachable';
const listeners = new Set<() => void>();

/** A refusal from the server: its code (UNAUTHENTICATED, BAD_USER_INPUT…) and, for bad input, the field. */
export class AuthError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
class Unreachable extends Error {}

async function call<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new Unreachable('Hearth cannot be reached. Check your connection.');
  }
  if (response.status >= 502) throw new Unreachable('Hearth cannot be reached. Check your connection.');
  const json = (await response.json()) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string; field?: string } }[];
  };
  if (json.errors?.length || !json.data) {
    const error = json.errors?.[0];
    const code = error?.extensions?.code;
    throw new AuthError(
      code === 'RATE_LIMITED'
        ? 'Too many attempts. Wait a few minutes, then try again.'
        : (error?.message ?? 'Sign-in failed'),
      code,
      error?.extensions?.field,
    );
  }
  return json.data;
}

function accept(payload: AuthPayload): SessionUser {
  accessToken = payload.accessToken;
  expiresAt = Date.parse(payload.accessTokenExpiresAt);
  user = payload.user;
  sessionStorage.setItem(REFRESH_KEY, payload.refreshToken);
  for (const listener of listeners) listener();
  return payload.user;
}

const SIGN_IN_FIELDS = `accessToken accessTokenExpiresAt refreshToken challenge { token step expiresAt } ${USER_FIELDS}`;

/** Signed in (null), or the challenge to answer with `completeSignIn`. */
function settle(payload: SignInPayload): Challenge | null {
  if (payload.challenge) return payload.challenge;
  accept(payload);
  return null;
}

export async function signIn(email: string, password: string): Promise<Challenge | null> {
  const data = await call<{ login: SignInPayload }>(
    `mutation SignIn($email: String!, $password: String!) { login(email: $email, password: $password) { ${SIGN_IN_FIELDS} } }`,
    { email, password },
  );
  return settle(data.login);
}

/** The second step: a code (authenticator or recovery), or the new password; maybe a further step. */
export async function completeSignIn(
  challenge: Challenge,
  answer: { code: string } | { newPassword: string },
): Promise<Challenge | null> {
  const data = await call<{ completeLogin: SignInPayload }>(
    `mutation CompleteSignIn($challengeToken: String!, $code: String, $newPassword: String) { completeLogin(challengeToken: $challengeToken, code: $code, newPassword: $newPassword) { ${SIGN_IN_FIELDS} } }`,
    { challengeToken: challenge.token, ...answer },
  );
  return settle(data.completeLogin);
}

/** Sets a new password with the token an admin handed over; the owner signs in afterwards. */
export async function completePasswordReset(token: string, newPassword: string): Promise<void> {
  await call<{ completePasswordReset: boolean }>(
    `mutation CompletePasswordReset($token: String!, $newPassword: String!) { completePasswordReset(token: $token, newPassword: $newPassword) }`,
    { token, newPassword },
  );
}

/** Rotates the refresh token; one rotation at a time, or the server would see a reuse. */
export function refresh(): Promise<RefreshOutcome> {
  refreshing ??= (async (): Promise<RefreshOutcome> => {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return 'refused';
    try {
      const data = await call<{ refreshSession: AuthPayload }>(
        `mutation Refresh($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { accessToken accessTokenExpiresAt refreshToken ${USER_FIELDS} } }`,
        { refreshToken },
      );
      accept(data.refreshSession);
      return 'ok';
    } catch (error) {
      if (error instanceof Unreachable) return 'unreachable';
      forget();
      return 'refused';
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A token good for at least the next 30 seconds, refreshing when needed; null when signed out. */
export async function validToken(): Promise<string | null> {
  if (accessToken && Date.now() < expiresAt - 30_000) return accessToken;
  return (await refresh()) === 'ok' ? accessToken : null;
}

export const currentUser = (): SessionUser | null => user;
export const hasRole = (role: string): boolean => user?.roles.includes(role) ?? false;

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function forget(): void {
  accessToken = null;
  expiresAt = 0;
  user = null;
  sessionStorage.removeItem(REFRESH_KEY);
  for (const listener of listeners) listener();
}

/** Ends the session on the server, then reloads: memory, the Apollo cache and the socket go with the page. */
export async function signOut(reason?: string): Promise<void> {
  const token = accessToken;
  forget();
  if (token) await call('mutation SignOut { logout }', {}, token).catch(() => undefined);
  sessionStorage.clear();
  location.assign(reason ? `/?signedOut=${encodeURIComponent(reason)}` : '/');
}

/** The session ended elsewhere (disabled, revoked, expired): back to sign-in, nothing kept. */
export function sessionEnded(): void {
  forget();
  sessionStorage.clear();
  location.assign('/?signedOut=ended');
}

/**
 * Redeems the one-time code an agency's identity provider sign-in came back with (`/?signin=`).
 * A sign-in that still needs the authenticator's code is refused here: the password sign-in asks for it.
 */
export async function signInWithHandoff(handoff: string): Promise<Challenge | null> {
  const data = await call<{ completeExternalSignIn: SignInPayload }>(
    `mutation ExternalSignIn($handoff: String!) { completeExternalSignIn(handoff: $handoff) { ${SIGN_IN_FIELDS} } }`,
    { handoff },
  );
  // A second factor is asked after the provider as after a password: the same challenge.
  return settle(data.completeExternalSignIn);
}
