import { useQuery } from '@apollo/client/react';
import { graphql } from '../graphql.ts';
import { countdown, label } from '../format.ts';
import { Link, useScreenTitle } from '../router.tsx';
import { currentUser } from '../session.ts';
import { useNow } from '../use-now.ts';
import { useNewCount } from '../unread.ts';

export const CASELOAD = graphql(`
  query Caseload($families: Int = 100, $alerts: Int = 100) {
    myFamilies(first: $families) {
      edges {
        node {
          id
          reference
          status
          protectionStatus
          lead {
            userId
            displayName
          }
          people {
            id
            role
            givenName
          }
        }
      }
    }
    alerts(first: $alerts) {
      edges {
        node {
          id
          rag
          status
          dueBy
          family {
            id
          }
        }
      }
    }
  }
`);

const RAGS = ['RED', 'AMBER', 'GREEN'] as const;

export function CaseloadScreen() {
  useScreenTitle('My caseload');
  const { data, loading, error } = useQuery(CASELOAD, { fetchPolicy: 'cache-and-network' });
  const now = useNow();
  const me = currentUser()!;
  const open = (data?.alerts.edges ?? [])
    .map((e) => e.node)
    .filter((a) => a.status === 'OPEN' || a.status === 'ESCALATED');
  return (
    <section>
      <h1 tabIndex={-1}>My caseload</h1>
      {error && <p className="error">Your caseload could not be loaded. {error.message}</p>}
      {loading && !data && <p className="loading">Loading…</p>}
      {data && data.myFamilies.edges.length === 0 && <p>You are not in any family network yet.</p>}
      <ul className="cards" aria-label="Families">
        {data?.myFamilies.edges.map(({ node: family }) => {
          const alerts = open.filter((a) => a.family.id === family.id);
          const nearest = alerts.map((a) => a.dueBy).sort()[0];
          const children = family.people.filter((p) => p.role === 'CHILD').map((p) => p.givenName);
          return (
            <li key={family.id} className="card family-card">
              <h2>
                <Link href={`/families/${family.id}`}>{family.reference}</Link>
              </h2>
              <p className="muted">
                {children.length > 0 ? `Children: ${children.join(', ')}` : 'No children recorded'}
              </p>
              <dl className="facts">
                <dt>Protection</dt>
                <dd>
                  <span className={`status status-${family.protectionStatus}`}>{label(family.protectionStatus)}</span>
                </dd>
                <dt>My role</dt>
                <dd>
                  {family.lead.userId === me.id ? 'Lead practitioner' : `Member (lead: ${family.lead.displayName})`}
                </dd>
                <dt>New</dt>
                <dd>
                  <NewCount familyId={family.id} />
                </dd>
                <dt>Open alerts</dt>
                <dd>
                  {alerts.length === 0
                    ? 'None'
                    : RAGS.filter((rag) => alerts.some((a) => a.rag === rag)).map((rag) => (
                        <span key={rag} className={`rag rag-${rag}`}>
                          {alerts.filter((a) => a.rag === rag).length} {label(rag)}
                        </span>
                      ))}
                  {nearest && <span className="due"> · nearest {countdown(nearest, now)}</span>}
                </dd>
              </dl>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function NewCount({ familyId }: { familyId: string }) {
  const count = useNewCount(familyId);
  return count === 0 ? (
    <span>None</span>
  ) : (
    <span className="badge" data-testid="new-count">
      {count} new
    </span>
  );
}
