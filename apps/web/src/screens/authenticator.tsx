import { CombinedGraphQLErrors } from '@apollo/client';
import { useMutation } from '@apollo/client/react';
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { field } from '../format.ts';
import { FieldError, FormError, invalid, type Errors } from '../forms.tsx';
import { graphql } from '../graphql.ts';
import { fieldErrors } from './post-event.tsx';

// The QR code's encoder loads only when someone sets up an authenticator.
const QrCode = lazy(() => import('../qr.tsx').then((m) => ({ default: m.QrCode })));

// Secrets and recovery codes never enter the Apollo cache: they live in this component's state only.
const BEGIN = graphql(`
  mutation BeginMfaEnrolment {
    beginMfaEnrolment {
      secret
      otpauthUri
    }
  }
`);
const CONFIRM = graphql(`
  mutation ConfirmMfaEnrolment($code: String!) {
    confirmMfaEnrolment(code: $code)
  }
`);

type Stage =
  | { kind: 'idle' }
  | { kind: 'enrolled' }
  | { kind: 'scan'; secret: string; otpauthUri: string }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'done' };

const isConflict = (error: unknown) =>
  CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.['code'] === 'CONFLICT');

/**
 * Setting up an authenticator app (TOTP): the key to add (as a QR code, as text, as an otpauth
 * link), a first code to prove it works, then the recovery codes, shown once and saved by the owner.
 */
export function Authenticator() {
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [errors, setErrors] = useState<Errors>({});
  const [begin, { loading: beginning }] = useMutation(BEGIN, { fetchPolicy: 'no-cache' });
  const [confirm, { loading: confirming }] = useMutation(CONFIRM, { fetchPolicy: 'no-cache' });
  const start = async () => {
    setErrors({});
    try {
      const { data } = await begin();
      if (data) setStage({ kind: 'scan', ...data.beginMfaEnrolment });
    } catch (error) {
      if (isConflict(error)) setStage({ kind: 'enrolled' });
      else setErrors(fieldErrors(error));
    }
  };
  const submitCode = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = field(new FormData(event.currentTarget), 'code').replace(/\s/g, '');
    setErrors({});
    try {
      const { data } = await confirm({ variables: { code } });
      if (data) setStage({ kind: 'codes', codes: data.confirmMfaEnrolment });
    } catch (error) {
      setErrors(fieldErrors(error));
    }
  };
  return (
    <section className="panel" aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">Authenticator app</h2>
      {stage.kind === 'idle' && (
        <>
          <p>
            With an authenticator app on your phone, signing in asks for a 6-digit code as well as your password. Agency
            admins, auditors and partnership admins need one.
          </p>
          <FormError errors={errors} />
          <button type="button" className="secondary" disabled={beginning} onClick={() => void start()}>
            Set up an authenticator app
          </button>
        </>
      )}
      {stage.kind === 'enrolled' && (
        <p className="notice" role="status">
          Your account already has an authenticator app. If you lost it, ask your agency admin to remove it; then set up
          a new one here.
        </p>
      )}
      {stage.kind === 'scan' && (
        <>
          <ol className="steps">
            <li>
              <p>Scan this code with your authenticator app:</p>
              <Suspense fallback={<p className="loading">Loading the QR code…</p>}>
                <QrCode text={stage.otpauthUri} label="QR code to add Hearth to your authenticator app" />
              </Suspense>
              <p>Or type this key into the app (letters and digits; spaces do not matter):</p>
              <p className="secret mono" data-testid="mfa-secret">
                {stage.secret.match(/.{1,4}/g)?.join(' ')}
              </p>
              <details>
                <summary>The key as a link</summary>
                <p className="mono wrap" data-testid="mfa-uri">
                  {stage.otpauthUri}
                </p>
              </details>
            </li>
            <li>
              <form onSubmit={(e) => void submitCode(e)} noValidate>
                <FormError errors={errors} />
                <label htmlFor="mfa-code">Then type the 6-digit code the app shows</label>
                <input
                  id="mfa-code"
                  name="code"
                  required
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={7}
                  {...invalid(errors, 'code', 'mfa-code')}
                />
                <FieldError errors={errors} name="code" id="mfa-code" />
                <button type="submit" disabled={confirming}>
                  Confirm
                </button>{' '}
                <button type="button" className="link" onClick={() => setStage({ kind: 'idle' })}>
                  Cancel
                </button>
              </form>
            </li>
          </ol>
        </>
      )}
      {stage.kind === 'codes' && <RecoveryCodes codes={stage.codes} onSaved={() => setStage({ kind: 'done' })} />}
      {stage.kind === 'done' && (
        <p className="notice" role="status">
          Your authenticator app is set up. Signing in now asks for a code from it.
        </p>
      )}
    </section>
  );
}

/** Shown once: the owner saves them (a download, a copy, on paper) and says so before going on. */
function RecoveryCodes({ codes, onSaved }: { codes: string[]; onSaved: () => void }) {
  const [saved, setSaved] = useState(false);
  const download = () => {
    const text = `Hearth recovery codes (each works once)\n\n${codes.join('\n')}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'hearth-recovery-codes.txt';
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="recovery">
      <p className="notice" role="status">
        Your authenticator app is confirmed.
      </p>
      <h3>Save your recovery codes now</h3>
      <p>
        If you lose your phone, each of these codes lets you sign in once instead of a code from the app.{' '}
        <strong>They are shown only this once.</strong> Keep them somewhere safe, away from your phone.
      </p>
      <ol className="recovery-codes mono" aria-label="Recovery codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <p>
        <button type="button" className="secondary" onClick={download}>
          Download as a text file
        </button>
      </p>
      <label className="radio">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} /> I have saved my recovery
        codes
      </label>
      <button type="button" disabled={!saved} onClick={onSaved}>
        Done
      </button>
    </div>
  );
}
