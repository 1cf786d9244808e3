import { useState, type FormEvent } from 'react';
import { field } from '../format.ts';
import { confirmationErrors, FieldError, FormError, invalid, NewPasswordFields, type Errors } from '../forms.tsx';
import { AuthError, completeSignIn, type Challenge } from '../session.ts';

const UNREACHABLE = 'Hearth cannot be reached. Check your connection.';
export const EXPIRED = 'This sign-in has expired. Sign in again.';

/** A refusal as field errors: bad input on its field (without the field's name), the rest for the form. */
export function authErrors(error: unknown): Errors {
  if (!(error instanceof AuthError)) return { form: UNREACHABLE };
  if (error.code === 'BAD_USER_INPUT' && error.field) {
    return { [error.field.split('.')[0]!]: error.message.replace(/^[\w.]+: /, '') };
  }
  return { form: error.message };
}

/** The challenge is spent or too old: the sign-in starts again from the password. */
const isExpired = (error: unknown) =>
  error instanceof AuthError && error.code === 'UNAUTHENTICATED' && /expired/i.test(error.message);

interface StepProps {
  challenge: Challenge;
  /** The next challenge, or null once signed in (the session takes over). */
  onNext: (next: Challenge | null) => void;
  /** Back to the password, with why. */
  onRestart: (notice?: string) => void;
}

/** What the server asks for after the password, one step at a time. */
export function SecondStep(props: StepProps) {
  return props.challenge.step === 'MFA_CODE' ? (
    <CodeStep key={props.challenge.token} {...props} />
  ) : (
    <NewPasswordStep key={props.challenge.token} {...props} />
  );
}

function useStep({ challenge, onNext, onRestart }: StepProps) {
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const answer = async (value: { code: string } | { newPassword: string }) => {
    if (Date.parse(challenge.expiresAt) <= Date.now()) return onRestart(EXPIRED);
    setBusy(true);
    setErrors({});
    try {
      onNext(await completeSignIn(challenge, value));
    } catch (error) {
      if (isExpired(error)) return onRestart(EXPIRED);
      setErrors(authErrors(error));
      setBusy(false);
    }
  };
  return { errors, setErrors, busy, answer };
}

/** A 6-digit code from the authenticator app, or one of the recovery codes. */
function CodeStep(props: StepProps) {
  const { errors, busy, answer } = useStep(props);
  const [recovery, setRecovery] = useState(false);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = field(new FormData(event.currentTarget), 'code').trim();
    void answer({ code: recovery ? code : code.replace(/\s/g, '') });
  };
  // The server says only "Invalid code" (wrong, or already used): say what to do about it.
  const shown: Errors =
    errors['form'] === 'Invalid code'
      ? {
          code: recovery
            ? 'That recovery code is not right, or it was used before. Check it and try again.'
            : 'That code is not right, or it was used already. Wait for the next code in your app and try again.',
        }
      : errors;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="step-heading">
      <h2 id="step-heading">Second step</h2>
      <p>
        {recovery
          ? 'Type one of the recovery codes you saved when you set up your authenticator. Each works once.'
          : 'Open your authenticator app and type the 6-digit code it shows for Hearth.'}
      </p>
      <FormError errors={shown} />
      <label htmlFor="code">{recovery ? 'Recovery code' : 'Code from your app'}</label>
      <input
        key={recovery ? 'recovery' : 'totp'}
        id="code"
        name="code"
        required
        autoFocus
        autoComplete={recovery ? 'off' : 'one-time-code'}
        inputMode={recovery ? 'text' : 'numeric'}
        spellCheck={false}
        maxLength={recovery ? 64 : 7}
        {...invalid(shown, 'code', 'code')}
      />
      <FieldError errors={shown} name="code" id="code" />
      <button type="submit" disabled={busy}>
        {busy ? 'Checking…' : 'Continue'}
      </button>
      <p className="step-links">
        <button type="button" className="link" onClick={() => setRecovery(!recovery)}>
          {recovery ? 'Use a code from your app instead' : 'Use a recovery code instead'}
        </button>
        <button type="button" className="link" onClick={() => props.onRestart()}>
          Start again
        </button>
      </p>
    </form>
  );
}

/** An admin chose or reset the password: the owner picks their own before going on. */
function NewPasswordStep(props: StepProps) {
  const { errors, setErrors, busy, answer } = useStep(props);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const mismatch = confirmationErrors(form);
    if (Object.keys(mismatch).length) return setErrors(mismatch);
    void answer({ newPassword: field(form, 'newPassword') });
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="step-heading">
      <h2 id="step-heading">Choose your own password</h2>
      <p>Your password was set by an administrator. Choose a new one that only you know to continue.</p>
      <FormError errors={errors} />
      <NewPasswordFields errors={errors} idPrefix="step" autoFocus />
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save and continue'}
      </button>
      <p className="step-links">
        <button type="button" className="link" onClick={() => props.onRestart()}>
          Start again
        </button>
      </p>
    </form>
  );
}
