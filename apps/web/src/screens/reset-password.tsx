import { useEffect, useState, type FormEvent } from 'react';
import { field } from '../format.ts';
import { confirmationErrors, FormError, NewPasswordFields, type Errors } from '../forms.tsx';
import { completePasswordReset } from '../session.ts';
import { authErrors } from './sign-in-steps.tsx';

/** The reset link's token, from the fragment: it never reaches a server log or a Referer header. */
function tokenFromLink(): string {
  return new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
}

/**
 * The link an agency admin handed over: set a new password with its single-use token, then sign
 * in. Every session of the account has ended by then.
 */
export function ResetPasswordScreen() {
  const [token] = useState(tokenFromLink);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  useEffect(() => {
    document.title = 'Set a new password · Hearth';
    // The token stays in memory only; the address bar and history forget it.
    if (location.hash) history.replaceState(null, '', location.pathname);
  }, []);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const mismatch = confirmationErrors(form);
    if (Object.keys(mismatch).length) return setErrors(mismatch);
    setBusy(true);
    setErrors({});
    try {
      await completePasswordReset(token, field(form, 'newPassword'));
      setDone(true);
    } catch (error) {
      setErrors(authErrors(error));
      setBusy(false);
    }
  };
  return (
    <main id="main" className="sign-in">
      <h1>Hearth</h1>
      <h2>Set a new password</h2>
      {done ? (
        <>
          <p className="notice" role="status">
            Your new password is set. Any session you had open has ended.
          </p>
          <p>
            <a href="/">Sign in with your new password</a>
          </p>
        </>
      ) : !token ? (
        <p className="error" role="alert">
          This link has no reset token. Ask your agency admin for a new link.
        </p>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <p>Your agency admin reset your password. The link works once, for 30 minutes.</p>
          <FormError errors={errors} />
          <NewPasswordFields errors={errors} idPrefix="reset" autoFocus />
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </form>
      )}
    </main>
  );
}
