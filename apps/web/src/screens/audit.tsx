import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { label, when, field } from '../format.ts';
import { graphql, type VariablesOf } from '../graphql.ts';
import { useScreenTitle } from '../router.tsx';
import { validToken } from '../session.ts';

const ENTRIES = graphql(`
  query AuditEntries($filter: AuditFilter, $after: String, $first: Int = 50) {
    auditEntries(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          at
          actorId
          actorRoles
          agencyId
          action
          outcome
          subjectType
          subjectId
          familyId
          personId
          reason
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const INTEGRITY = graphql(`
  query AuditIntegrity {
    auditIntegrity {
      verified
      entries
      unsealed
      sealedThrough
      headHash
      firstBrokenEntryId
      problem
    }
  }
`);

const GRANTS = graphql(`
  query Grants($first: Int = 50) {
    accessGrants(pendingReview: true, first: $first) {
      edges {
        node {
          id
          familyId
          userId
          reason
          grantedAt
          expiresAt
          flagged
        }
      }
    }
  }
`);

const REVIEW = graphql(`
  mutation ReviewGrant($id: ID!, $outcome: GrantReviewOutcome!, $note: String!) {
    reviewAccessGrant(id: $id, outcome: $outcome, note: $note) {
      id
      reviewOutcome
    }
  }
`);

type Filter = NonNullable<VariablesOf<typeof ENTRIES>['filter']>;
const ACTIONS = [
  'READ',
  'CREATE',
  'UPDATE',
  'DENIED',
  'LOGIN',
  'LOGIN_FAILED',
  'LOGOUT',
  'GRANT',
  'REVOKE',
  'BREAK_GLASS',
  'ROLE_CHANGE',
  'DISABLE',
  'EXPORT',
] as const;

export function AuditScreen() {
  useScreenTitle('Who viewed this child');
  const [filter, setFilter] = useState<Filter | null>(null);
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => field(form, name).trim() || null;
    const from = value('from');
    const to = value('to');
    setFilter({
      familyId: value('familyId'),
      personId: value('personId'),
      actorId: value('actorId'),
      action: value('action') as (typeof ACTIONS)[number] | null,
      outcome: value('outcome') as 'ALLOWED' | 'DENIED' | null,
      from: from ? new Date(`${from}T00:00:00Z`).toISOString() : null,
      to: to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString() : null,
    });
  };
  return (
    <section>
      <h1 tabIndex={-1}>Who viewed this child</h1>
      <Integrity />
      <form className="filters" onSubmit={apply} aria-label="Search the audit trail">
        <div>
          <label htmlFor="a-family">Family id</label>
          <input id="a-family" name="familyId" />
        </div>
        <div>
          <label htmlFor="a-person">Person id</label>
          <input id="a-person" name="personId" />
        </div>
        <div>
          <label htmlFor="a-actor">Who (user id)</label>
          <input id="a-actor" name="actorId" />
        </div>
        <div>
          <label htmlFor="a-action">Action</label>
          <select id="a-action" name="action" defaultValue="">
            <option value="">Any</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {label(a)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="a-outcome">Outcome</label>
          <select id="a-outcome" name="outcome" defaultValue="">
            <option value="">Any</option>
            <option value="ALLOWED">Allowed</option>
            <option value="DENIED">Denied</option>
          </select>
        </div>
        <div>
          <label htmlFor="a-from">From</label>
          <input id="a-from" name="from" type="date" />
        </div>
        <div>
          <label htmlFor="a-to">To</label>
          <input id="a-to" name="to" type="date" />
        </div>
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      {filter && <Entries filter={filter} />}
      <Grants />
    </section>
  );
}

function Integrity() {
  const { data, error } = useQuery(INTEGRITY, { fetchPolicy: 'network-only' });
  if (error) return <p className="error">{error.message}</p>;
  if (!data) return <p className="loading">Checking the audit chain…</p>;
  const i = data.auditIntegrity;
  return (
    <p className={`integrity ${i.verified ? 'ok' : 'broken'}`} data-testid="integrity">
      {i.verified
        ? `Audit chain verified: ${i.entries} entries sealed${i.sealedThrough ? ` through ${when(i.sealedThrough)}` : ''}${i.unsealed ? `, ${i.unsealed} waiting to be sealed` : ''}.`
        : `Audit chain BROKEN at entry ${i.firstBrokenEntryId ?? '?'}: ${i.problem ?? ''}`}
    </p>
  );
}

function Entries({ filter }: { filter: Filter }) {
  const { data, error, fetchMore, loading } = useQuery(ENTRIES, { variables: { filter }, fetchPolicy: 'network-only' });
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const download = async () => {
    setDownloadError(null);
    const params = new URLSearchParams(
      Object.entries(filter).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    const token = await validToken();
    const response = await fetch(`/audit/export.csv?${params.toString()}`, {
      headers: { authorization: `Bearer ${token ?? ''}` },
      cache: 'no-store',
    });
    if (!response.ok) {
      setDownloadError('The export failed.');
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = 'hearth-audit.csv';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const page = data?.auditEntries;
  return (
    <section aria-labelledby="entries-heading">
      <h2 id="entries-heading">Audit entries</h2>
      <button type="button" className="secondary" onClick={() => void download()}>
        Download CSV
      </button>
      {downloadError && <p className="error">{downloadError}</p>}
      {error && <p className="error">{error.message}</p>}
      {page && page.edges.length === 0 && <p>No entries match.</p>}
      {page && page.edges.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit entries">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Roles</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">What</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {page.edges.map(({ node: e }) => (
                <tr key={e.id} data-testid="audit-row" data-actor={e.actorId ?? ''} data-action={e.action}>
                  <td>{when(e.at)}</td>
                  <td className="mono">{e.actorId ?? 'anonymous'}</td>
                  <td>{e.actorRoles.map(label).join(', ')}</td>
                  <td>{label(e.action)}</td>
                  <td>{label(e.outcome)}</td>
                  <td>{e.subjectType ?? ''}</td>
                  <td>{e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page?.pageInfo.hasNextPage && (
        <button
          type="button"
          className="secondary"
          disabled={loading}
          onClick={() => void fetchMore({ variables: { after: page.pageInfo.endCursor } })}
        >
          Show more
        </button>
      )}
    </section>
  );
}

function Grants() {
  const { data } = useQuery(GRANTS, { fetchPolicy: 'cache-and-network' });
  const [review, { error: reviewError }] = useMutation(REVIEW, { refetchQueries: ['Grants'], errorPolicy: 'all' });
  const submit = (id: string) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const outcome = field(form, 'outcome') as 'APPROPRIATE' | 'INAPPROPRIATE';
    void review({ variables: { id, outcome, note: field(form, 'note') } });
  };
  return (
    <section aria-labelledby="grants-heading">
      <h2 id="grants-heading">Break-glass access to review</h2>
      {reviewError && <p className="error">{reviewError.message}</p>}
      {data?.accessGrants.edges.length === 0 && <p className="muted">Nothing waiting for review.</p>}
      <ul>
        {data?.accessGrants.edges.map(({ node: g }) => (
          <li key={g.id} className="card">
            <p>
              User <span className="mono">{g.userId}</span> opened family <span className="mono">{g.familyId}</span> on{' '}
              {when(g.grantedAt)}
              {g.flagged && <strong className="flag"> · repeated use</strong>}
            </p>
            <p>Reason given: {g.reason}</p>
            <form onSubmit={submit(g.id)} className="review">
              <label htmlFor={`outcome-${g.id}`}>Outcome</label>
              <select id={`outcome-${g.id}`} name="outcome">
                <option value="APPROPRIATE">Appropriate</option>
                <option value="INAPPROPRIATE">Inappropriate</option>
              </select>
              <label htmlFor={`gnote-${g.id}`}>Note</label>
              <input id={`gnote-${g.id}`} name="note" required />
              <button type="submit" className="secondary">
                Record review
              </button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  );
}
