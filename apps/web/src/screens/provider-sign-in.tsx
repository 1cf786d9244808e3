import { useEffect, useState } from 'react';
import { AuthError, signInWithHandoff, type Challenge } from '../session.ts';

interface SignInProvider {
  agencyId: string;
  agencyName: string;
  startPath: string;
}

/** What `/?signinError=` says (the reason itself is in the audit trail, never in the address). */
const ERRORS: Record<string, string> = {
  NOT_CONFIGURED: 'Your agency does not sign in through its own identity provider.',
  PROVIDER_UNAVAILABLE: "Your agency's sign-in service cannot be reached. Try again, or sign in with your password.",
  SIGN_IN_EXPIRED: 'That sign-in expired or was already used. Start again.',
  PROVIDER_REFUSED: "Your agency's sign-in service did not sign you in.",
  VERIFICATION_FAILED: "Hearth could not verify your agency's sign-in. Start again.",
  ACCOUNT_NOT_AVAILABLE: 'There is no active Hearth account for you in this agency. Ask your agency admin.',
};

/**
 * "Sign in with <agency>" for each agency with its own identity provider, and the way back from
 * it: `?signin=<code>` is exchanged once for a session (or for the second step, handed to
 * `onChallenge` when the account has a second factor), `?signinError=<CODE>` is explained.
 */
export function ProviderSignIn({ onChallenge }: { onChallenge: (challenge: Challenge) => void }) {
  const [params] = useState(() => new URLSearchParams(location.search));
  const [providers, setProviders] = useState<SignInProvider[]>([]);
  const [busy, setBusy] = useState(() => params.has('signin'));
  const [error, setError] = useState<string | null>(() => {
    const code = params.get('signinError');
    return code ? (ERRORS[code] ?? 'Signing in through your agency failed. Start again.') : null;
  });

  useEffect(() => {
    const controller = new AbortController();
    fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ signInProviders { agencyId agencyName startPath } }' }),
      credentials: 'omit',
      signal: controller.signal,
    })
      .then((res) => res.json() as Promise<{ data?: { signInProviders: SignInProvider[] } }>)
      .then((json) => setProviders(json.data?.signInProviders ?? []))
      .catch(() => undefined);
    return () => controller.abort();
  }, []);

  useEffect(() => {
    const handoff = params.get('signin');
    if (!handoff) return;
    signInWithHandoff(handoff)
      .then((challenge) => {
        if (challenge) onChallenge(challenge);
      })
      .catch((e: unknown) => {
        setError(e instanceof AuthError ? e.message : 'Hearth cannot be reached. Check your connection.');
        setBusy(false);
      });
  }, [params, onChallenge]);

  if (providers.length === 0 && !error && !busy) return null;
  return (
    <section className="provider-sign-in" aria-label="Sign in through your agency">
      {busy && <p role="status">Signing you in…</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {providers.map((p) => (
        <a key={p.agencyId} className="button" href={p.startPath}>
          Sign in with {p.agencyName}
        </a>
      ))}
    </section>
  );
}
