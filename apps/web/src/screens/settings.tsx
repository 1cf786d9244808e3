import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { field, label } from '../format.ts';
import { confirmationErrors, FieldError, FormError, invalid, NewPasswordFields, type Errors } from '../forms.tsx';
import { graphql } from '../graphql.ts';
import { useScreenTitle } from '../router.tsx';
import { currentUser } from '../session.ts';
import { fieldErrors } from './post-event.tsx';
import { Authenticator } from './authenticator.tsx';

const ME = graphql(`
  query MyAccount {
    me {
      id
      jobTitle
      phone
      contactRoute
    }
  }
`);
const UPDATE_CARD = graphql(`
  mutation UpdateMyContactCard($input: UpdateContactCardInput!) {
    updateMyContactCard(input: $input) {
      id
      jobTitle
      phone
      contactRoute
    }
  }
`);
const CHANGE_PASSWORD = graphql(`
  mutation ChangeMyPassword($currentPassword: String!, $newPassword: String!) {
    changeMyPassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`);

export function SettingsScreen() {
  useScreenTitle('Settings');
  const me = currentUser()!;
  const practitioner = me.roles.includes('PRACTITIONER') || me.roles.includes('MANAGER');
  return (
    <section className="settings">
      <h1 tabIndex={-1}>Settings</h1>
      <h2>Your account</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{me.displayName}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Agency</dt>
        <dd>{me.agency.name}</dd>
        <dt>Roles</dt>
        <dd>{me.roles.map(label).join(', ')}</dd>
      </dl>
      <ContactCard practitioner={practitioner} />
      <ChangePassword />
      <Authenticator />
      <h2>Notifications</h2>
      <p>
        Alerts and new entries reach you here, live, while Hearth is open. Email and other channels will be set here.
      </p>
    </section>
  );
}

/** What colleagues in other agencies see of me: job title, phone and how to reach me. */
function ContactCard({ practitioner }: { practitioner: boolean }) {
  const { data } = useQuery(ME, { fetchPolicy: 'cache-and-network' });
  const [update, { loading }] = useMutation(UPDATE_CARD);
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState(false);
  const me = data?.me;
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // An emptied field clears it.
    const value = (name: string) => field(form, name).trim() || null;
    setErrors({});
    setSaved(false);
    try {
      await update({
        variables: {
          input: { jobTitle: value('jobTitle'), phone: value('phone'), contactRoute: value('contactRoute') },
        },
      });
      setSaved(true);
    } catch (error) {
      setErrors(fieldErrors(error));
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="card-heading">
      <h2 id="card-heading">Your contact card</h2>
      <p className="muted">
        {practitioner
          ? 'What the other practitioners in your families, and the directory, show of you.'
          : 'What colleagues see of you.'}
      </p>
      <FormError errors={errors} />
      {!me ? (
        <p className="loading">Loading…</p>
      ) : (
        <>
          <label htmlFor="card-title">Job title</label>
          <input
            id="card-title"
            name="jobTitle"
            defaultValue={me.jobTitle ?? ''}
            {...invalid(errors, 'jobTitle', 'card-title')}
          />
          <FieldError errors={errors} name="jobTitle" id="card-title" />
          <label htmlFor="card-phone">Phone</label>
          <input
            id="card-phone"
            name="phone"
            type="tel"
            autoComplete="tel"
            defaultValue={me.phone ?? ''}
            {...invalid(errors, 'phone', 'card-phone')}
          />
          <FieldError errors={errors} name="phone" id="card-phone" />
          <label htmlFor="card-route">How to reach you (optional)</label>
          <p id="card-route-hint" className="hint">
            For example a duty desk and its hours.
          </p>
          <input
            id="card-route"
            name="contactRoute"
            defaultValue={me.contactRoute ?? ''}
            aria-describedby={errors['contactRoute'] ? 'card-route-error card-route-hint' : 'card-route-hint'}
            aria-invalid={errors['contactRoute'] ? true : undefined}
          />
          <FieldError errors={errors} name="contactRoute" id="card-route" />
          {saved && (
            <p className="notice" role="status">
              Your contact card is saved.
            </p>
          )}
          <button type="submit" disabled={loading}>
            Save contact card
          </button>
        </>
      )}
    </form>
  );
}

function ChangePassword() {
  const [change, { loading }] = useMutation(CHANGE_PASSWORD);
  const [errors, setErrors] = useState<Errors>({});
  const [changed, setChanged] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    setChanged(false);
    const mismatch = confirmationErrors(form);
    setErrors(mismatch);
    if (Object.keys(mismatch).length) return;
    try {
      await change({
        variables: { currentPassword: field(form, 'currentPassword'), newPassword: field(form, 'newPassword') },
      });
      element.reset();
      setChanged(true);
    } catch (error) {
      setErrors(fieldErrors(error));
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <p className="muted">
        You stay signed in here. Every other session of yours (another browser, a phone) ends and signs in again with
        the new password.
      </p>
      <FormError errors={errors} />
      <label htmlFor="password-current">Current password</label>
      <input
        id="password-current"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        {...invalid(errors, 'currentPassword', 'password-current')}
      />
      <FieldError errors={errors} name="currentPassword" id="password-current" />
      <NewPasswordFields errors={errors} idPrefix="password" />
      {changed && (
        <p className="notice" role="status">
          Your password is changed. Your other sessions have ended.
        </p>
      )}
      <button type="submit" disabled={loading}>
        Change password
      </button>
    </form>
  );
}
