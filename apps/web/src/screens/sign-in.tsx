import { useEffect, useState, type FormEvent } from 'react';
import { field } from '../format.ts';
import { AuthError, signIn, type Challenge } from '../session.ts';
import { SecondStep } from './sign-in-steps.tsx';
import { ProviderSignIn } from './provider-sign-in.tsx';

const ENDED: Record<string, string> = {
  ended: 'Your session has ended. Sign in again to continue.',
};

export function SignInScreen() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [restarted, setRestarted] = useState<string | null>(null);
  const notice = restarted ?? ENDED[new URLSearchParams(location.search).get('signedOut') ?? ''];
  useEffect(() => {
    document.title = 'Sign in · Hearth';
    if (location.search) history.replaceState(null, '', location.pathname);
  }, []);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    setRestarted(null);
    try {
      const next = await signIn(field(form, 'email'), field(form, 'password'));
      if (next) {
        setChallenge(next);
        setBusy(false);
      }
    } catch (e) {
      setError(e instanceof AuthError ? e.message : 'Hearth cannot be reached. Check your connection.');
      setBusy(false);
    }
  };
  if (challenge) {
    return (
      <main id="main" className="sign-in">
        <h1>Hearth</h1>
        <SecondStep
          challenge={challenge}
          onNext={setChallenge}
          onRestart={(reason) => {
            setChallenge(null);
            setRestarted(reason ?? null);
          }}
        />
      </main>
    );
  }
  return (
    <main id="main" className="sign-in">
      <h1>Hearth</h1>
      <p className="lede">The family at the centre: everyone who works with a child, in one place.</p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        {error && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ProviderSignIn onChallenge={setChallenge} />
    </main>
  );
}
