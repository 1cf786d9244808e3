import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { label, field, when } from '../format.ts';
import { graphql } from '../graphql.ts';
import { useScreenTitle } from '../router.tsx';
import { currentUser } from '../session.ts';
import { fieldErrors } from './post-event.tsx';
import { EVENT_KINDS } from './timeline.tsx';

const USERS = graphql(`
  query AgencyUsers($agencyId: ID, $first: Int = 100) {
    users(agencyId: $agencyId, first: $first) {
      edges {
        node {
          id
          email
          displayName
          jobTitle
          roles
          status
        }
      }
    }
    me {
      id
      agency {
        id
        name
        sharingPolicy {
          kind
          visibility
        }
      }
    }
  }
`);

const CREATE = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
    }
  }
`);
const SET_ROLES = graphql(`
  mutation SetRoles($userId: ID!, $roles: [Role!]!) {
    setUserRoles(userId: $userId, roles: $roles) {
      id
      roles
    }
  }
`);
const DISABLE = graphql(`
  mutation DisableUser($userId: ID!) {
    disableUser(userId: $userId) {
      id
      status
    }
  }
`);
const ENABLE = graphql(`
  mutation EnableUser($userId: ID!) {
    enableUser(userId: $userId) {
      id
      status
    }
  }
`);
const RESET_PASSWORD = graphql(`
  mutation ResetUserPassword($userId: ID!) {
    resetUserPassword(userId: $userId) {
      token
      expiresAt
    }
  }
`);
const SET_POLICY = graphql(`
  mutation SetSharingPolicy($input: SharingPolicyInput!) {
    setSharingPolicy(input: $input) {
      id
      sharingPolicy {
        kind
        visibility
      }
    }
  }
`);

const ROLES = ['PRACTITIONER', 'MANAGER', 'AGENCY_ADMIN'] as const;
type Role = (typeof ROLES)[number];

export function AdminScreen() {
  const me = currentUser()!;
  useScreenTitle(`${me.agency.name}: people and sharing`);
  const { data, refetch } = useQuery(USERS, {
    variables: { agencyId: me.agency.id },
    fetchPolicy: 'cache-and-network',
  });
  const [create, { loading: creating }] = useMutation(CREATE);
  const [setRoles, { error: rolesError }] = useMutation(SET_ROLES, { errorPolicy: 'all' });
  const [disable, { error: disableError }] = useMutation(DISABLE, { errorPolicy: 'all' });
  const [enable, { error: enableError }] = useMutation(ENABLE, { errorPolicy: 'all' });
  // The token is shown once and kept in this screen's state only, never in the Apollo cache.
  const [resetPassword, { error: resetError }] = useMutation(RESET_PASSWORD, {
    errorPolicy: 'all',
    fetchPolicy: 'no-cache',
  });
  const [reset, setReset] = useState<{ name: string; token: string; expiresAt: string } | null>(null);
  const startReset = async (userId: string, name: string) => {
    if (!confirm(`Reset the password of ${name}? They are signed out at once.`)) return;
    setReset(null);
    const { data: result } = await resetPassword({ variables: { userId } });
    if (result) setReset({ name, ...result.resetUserPassword });
  };
  const [setPolicy, { error: policyError }] = useMutation(SET_POLICY, { errorPolicy: 'all' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const values = new FormData(form);
    const text = (name: string) => field(values, name).trim();
    setErrors({});
    setCreated(null);
    try {
      await create({
        variables: {
          input: {
            email: text('email'),
            displayName: text('displayName'),
            jobTitle: text('jobTitle') || null,
            phone: text('phone') || null,
            roles: values.getAll('roles').map(String) as Role[],
            password: field(values, 'password'),
            mustChangePassword: values.get('mustChangePassword') === 'on',
          },
        },
      });
      setCreated(text('email'));
      form.reset();
      void refetch();
    } catch (error) {
      setErrors(fieldErrors(error));
    }
  };
  const err = (field: string) =>
    errors[field] ? (
      <p id={`err-${field}`} className="error field-error">
        {errors[field]}
      </p>
    ) : null;
  const invalid = (field: string) =>
    errors[field] ? { 'aria-invalid': true, 'aria-describedby': `err-${field}` } : {};
  const policy = data?.me.agency.sharingPolicy ?? [];
  return (
    <section>
      <h1 tabIndex={-1}>{me.agency.name}</h1>
      <p className="muted">You manage your agency&apos;s accounts and sharing. You see no case content.</p>
      <h2>People</h2>
      {(rolesError ?? disableError ?? enableError ?? resetError) && (
        <p className="error" role="alert">
          {(rolesError ?? disableError ?? enableError ?? resetError)?.message}
        </p>
      )}
      {reset && <ResetLink {...reset} onClose={() => setReset(null)} />}
      <div className="table-wrap" tabIndex={0} role="region" aria-label="People in your agency">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data?.users.edges.map(({ node: u }) => (
              <tr key={u.id} data-testid="user-row" data-email={u.email}>
                <td>
                  {u.displayName}
                  {u.jobTitle && <span className="muted">, {u.jobTitle}</span>}
                </td>
                <td>{u.email}</td>
                <td>
                  {u.id === me.id ? (
                    u.roles.map(label).join(', ')
                  ) : (
                    <fieldset className="inline">
                      <legend className="visually-hidden">Roles of {u.displayName}</legend>
                      {ROLES.map((r) => (
                        <label key={r}>
                          <input
                            type="checkbox"
                            checked={u.roles.includes(r)}
                            disabled={u.status === 'DISABLED'}
                            onChange={(e) =>
                              void setRoles({
                                variables: {
                                  userId: u.id,
                                  roles: e.target.checked
                                    ? [...(u.roles as Role[]), r]
                                    : (u.roles as Role[]).filter((x) => x !== r),
                                },
                              })
                            }
                          />{' '}
                          {label(r)}
                        </label>
                      ))}
                    </fieldset>
                  )}
                </td>
                <td>{label(u.status)}</td>
                <td>
                  <div className="row-actions">
                    {u.status === 'ACTIVE' && u.id !== me.id && (
                      <>
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Disable ${u.displayName}`}
                          onClick={() =>
                            confirm(`Disable ${u.displayName}? They are signed out at once.`) &&
                            void disable({ variables: { userId: u.id } })
                          }
                        >
                          Disable
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`Reset password for ${u.displayName}`}
                          onClick={() => void startReset(u.id, u.displayName)}
                        >
                          Reset password
                        </button>
                      </>
                    )}
                    {u.status === 'DISABLED' && (
                      <button
                        type="button"
                        className="secondary"
                        aria-label={`Enable ${u.displayName}`}
                        onClick={() => void enable({ variables: { userId: u.id } })}
                      >
                        Enable
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form className="create-user" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="create-heading">
        <h2 id="create-heading">Add a person</h2>
        {errors['form'] && (
          <p className="error" role="alert">
            {errors['form']}
          </p>
        )}
        {created && (
          <p className="notice" role="status">
            {created} can now sign in.
          </p>
        )}
        <label htmlFor="u-name">Name</label>
        <input id="u-name" name="displayName" {...invalid('displayName')} />
        {err('displayName')}
        <label htmlFor="u-email">Email</label>
        <input id="u-email" name="email" type="email" {...invalid('email')} />
        {err('email')}
        <label htmlFor="u-title">Job title (optional)</label>
        <input id="u-title" name="jobTitle" {...invalid('jobTitle')} />
        <label htmlFor="u-phone">Phone (optional)</label>
        <input id="u-phone" name="phone" type="tel" {...invalid('phone')} />
        {err('phone')}
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((r) => (
            <label key={r}>
              <input type="checkbox" name="roles" value={r} defaultChecked={r === 'PRACTITIONER'} /> {label(r)}
            </label>
          ))}
          {err('roles')}
        </fieldset>
        <label htmlFor="u-password">First password (at least 12 characters)</label>
        <input id="u-password" name="password" type="password" autoComplete="new-password" {...invalid('password')} />
        {err('password')}
        <label className="radio">
          <input type="checkbox" name="mustChangePassword" defaultChecked /> They choose their own password when they
          first sign in
        </label>
        <button type="submit" disabled={creating}>
          Add
        </button>
      </form>
      <h2>Sharing policy</h2>
      {policyError && (
        <p className="error" role="alert">
          {policyError.message}
        </p>
      )}
      <p className="muted">What your agency&apos;s practitioners share by default, per kind of entry.</p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Sharing policy">
        <table>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Default visibility</th>
            </tr>
          </thead>
          <tbody>
            {EVENT_KINDS.map((kind) => {
              const current = policy.find((p) => p.kind === kind)?.visibility ?? 'NETWORK';
              return (
                <tr key={kind}>
                  <td>{label(kind)}</td>
                  <td>
                    <select
                      aria-label={`Default visibility for ${label(kind)}`}
                      value={current}
                      onChange={(e) =>
                        void setPolicy({
                          variables: { input: { kind, visibility: e.target.value as 'NETWORK' | 'AGENCY' } },
                        })
                      }
                    >
                      <option value="NETWORK">Whole network</option>
                      <option value="AGENCY">Agency only</option>
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * The reset link, shown once: the token goes in the link's fragment, so neither the server's logs
 * nor a Referer ever carry it. Whoever opens it sets the password: hand it over in person or by a
 * channel only its owner reads.
 */
function ResetLink({
  name,
  token,
  expiresAt,
  onClose,
}: {
  name: string;
  token: string;
  expiresAt: string;
  onClose: () => void;
}) {
  const link = `${location.origin}/reset-password#token=${encodeURIComponent(token)}`;
  return (
    <div className="notice reset-link" role="status" aria-labelledby="reset-heading">
      <h3 id="reset-heading">Password reset for {name}</h3>
      <p>
        Give {name} this link. It works once, until {when(expiresAt)}, and is shown only now. They have been signed out;
        their old password now only leads to choosing a new one.
      </p>
      <p className="mono wrap" data-testid="reset-link">
        {link}
      </p>
      <details>
        <summary>The token alone</summary>
        <p className="mono wrap">{token}</p>
      </details>
      <button type="button" className="secondary" onClick={onClose}>
        I have handed it over
      </button>
    </div>
  );
}
