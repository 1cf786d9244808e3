import { useLazyQuery, useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { field, label } from '../format.ts';
import { FormError, type Errors } from '../forms.tsx';
import { graphql } from '../graphql.ts';
import { fieldErrors } from './post-event.tsx';

const AGENCIES = graphql(`
  query Agencies {
    agencies {
      id
      name
    }
  }
`);
const DIRECTORY = graphql(`
  query Directory($search: String!, $agencyId: ID, $role: Role) {
    directory(search: $search, agencyId: $agencyId, role: $role) {
      userId
      displayName
      jobTitle
      phone
      email
      contactRoute
      roles
      agency {
        id
        name
      }
    }
  }
`);
const ADD = graphql(`
  mutation AddNetworkMember($familyId: ID!, $userId: ID!, $expiresAt: DateTime) {
    addNetworkMember(familyId: $familyId, userId: $userId, expiresAt: $expiresAt) {
      role
    }
  }
`);

type ListedRole = 'PRACTITIONER' | 'MANAGER';

/**
 * Invite a colleague from the directory: search by name or agency (narrowed by agency and role),
 * then add them to this network. The directory shows contact cards only; every search is audited
 * and limited, so it runs when asked, never on each keystroke.
 */
export function InviteByDirectory({
  familyId,
  memberIds,
  onAdded,
}: {
  familyId: string;
  memberIds: string[];
  onAdded: () => void;
}) {
  const agencies = useQuery(AGENCIES);
  const [search, { data, loading, called, error: searchError }] = useLazyQuery(DIRECTORY);
  const [add] = useMutation(ADD);
  const [errors, setErrors] = useState<Errors>({});
  const [added, setAdded] = useState<string | null>(null);
  const [adding, setAdding] = useState<string | null>(null);
  const [until, setUntil] = useState('');
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setErrors({});
    setAdded(null);
    // A refusal (too short, too many searches) shows through the hook's error.
    await search({
      variables: {
        search: field(form, 'search').trim(),
        agencyId: field(form, 'agencyId') || null,
        role: (field(form, 'role') || null) as ListedRole | null,
      },
    }).catch(() => undefined);
  };
  const invite = async (userId: string, name: string) => {
    setErrors({});
    setAdded(null);
    setAdding(userId);
    try {
      await add({
        variables: { familyId, userId, expiresAt: until ? new Date(`${until}T23:59:59Z`).toISOString() : null },
      });
      setAdded(name);
      onAdded();
    } catch (error) {
      const found = fieldErrors(error);
      const until = found['expiresAt'] && `Access until ${found['expiresAt']}`;
      setErrors({ form: until || (found['form'] ?? Object.values(found)[0] ?? 'Could not add them') });
    } finally {
      setAdding(null);
    }
  };
  const results = searchError ? undefined : data?.directory;
  const refused = searchError ? fieldErrors(searchError) : {};
  const searchMessage = refused['search'] ? `Name or agency: ${refused['search']}` : refused['form'];
  return (
    <section aria-labelledby="invite-heading" className="invite">
      <h2 id="invite-heading">Invite a colleague</h2>
      <form onSubmit={(e) => void submit(e)} noValidate role="search" aria-label="Directory">
        <label htmlFor="directory-search">Name or agency</label>
        <input
          id="directory-search"
          name="search"
          type="search"
          minLength={2}
          required
          autoComplete="off"
          aria-invalid={searchMessage ? true : undefined}
          aria-describedby={searchMessage ? 'directory-error' : undefined}
        />
        {searchMessage && (
          <p id="directory-error" className="error field-error" role="alert">
            {searchMessage}
          </p>
        )}
        <label htmlFor="directory-agency">Only in agency</label>
        <select id="directory-agency" name="agencyId" defaultValue="">
          <option value="">Any agency</option>
          {agencies.data?.agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
        <label htmlFor="directory-role">Only with role</label>
        <select id="directory-role" name="role" defaultValue="">
          <option value="">Practitioners and managers</option>
          <option value="PRACTITIONER">Practitioners</option>
          <option value="MANAGER">Managers</option>
        </select>
        <button type="submit" className="secondary" disabled={loading}>
          {loading ? 'Searching…' : 'Search the directory'}
        </button>
      </form>
      <FormError errors={errors} />
      {added && (
        <p className="notice" role="status">
          {added} is now in this network.
        </p>
      )}
      {called && results && (
        <>
          <label htmlFor="invite-until">Access until (optional)</label>
          <input id="invite-until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
          {results.length === 0 ? (
            <p className="muted" role="status">
              Nobody in the directory matches.
            </p>
          ) : (
            <ul className="directory" aria-label="Directory results">
              {results.map((person) => (
                <li key={person.userId} className="card" data-testid="directory-entry">
                  <span className="contact">
                    <strong>{person.displayName}</strong>
                    {person.jobTitle && <span>, {person.jobTitle}</span>}
                    <span className="muted"> · {person.agency.name}</span>
                    <span className="muted"> · {person.roles.map(label).join(', ')}</span>
                    {person.contactRoute && <span className="route"> · Contact via {person.contactRoute}</span>}
                    <span className="routes">
                      {person.phone && (
                        <>
                          {' · '}
                          <a href={`tel:${person.phone}`}>{person.phone}</a>
                        </>
                      )}
                      {' · '}
                      <a href={`mailto:${person.email}`}>{person.email}</a>
                    </span>
                  </span>
                  {memberIds.includes(person.userId) ? (
                    <p className="muted">Already in this network.</p>
                  ) : (
                    <button
                      type="button"
                      className="secondary"
                      disabled={adding !== null}
                      aria-label={`Add to this network: ${person.displayName}`}
                      onClick={() => void invite(person.userId, person.displayName)}
                    >
                      Add to this network
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
