import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Contact } from '../contact.tsx';
import { CARD } from '../fragments.ts';
import { countdown, label, when, field } from '../format.ts';
import { graphql, type ResultOf } from '../graphql.ts';
import { Link, useScreenTitle } from '../router.tsx';
import { useNow } from '../use-now.ts';

export const ALERTS = graphql(
  `
    query Alerts($status: AlertStatus, $first: Int = 50) {
      alerts(status: $status, first: $first) {
        edges {
          node {
            id
            rag
            status
            explanation
            ruleVersion
            raisedAt
            dueBy
            acknowledgedAt
            resolvedAt
            escalatedAt
            acknowledgedBy {
              ...Card
            }
            rule {
              id
              name
            }
            family {
              id
              reference
            }
            matchedEvents {
              id
              kind
              occurredAt
              redacted
              summary
              agency {
                id
                name
              }
            }
          }
        }
      }
    }
  `,
  [CARD],
);

const ACK = graphql(`
  mutation AcknowledgeAlert($id: ID!) {
    acknowledgeAlert(id: $id) {
      id
      status
      acknowledgedAt
    }
  }
`);

const RESOLVE = graphql(`
  mutation ResolveAlert($id: ID!, $note: String!) {
    resolveAlert(id: $id, note: $note) {
      id
      status
      resolvedAt
    }
  }
`);

const FILTERS = [
  { value: null, text: 'All' },
  { value: 'OPEN', text: 'Open' },
  { value: 'ESCALATED', text: 'Escalated' },
  { value: 'ACKNOWLEDGED', text: 'Acknowledged' },
  { value: 'RESOLVED', text: 'Resolved' },
] as const;

export function AlertsScreen() {
  useScreenTitle('Alerts');
  const [status, setStatus] = useState<(typeof FILTERS)[number]['value']>(null);
  const { data, error } = useQuery(ALERTS, { variables: { status }, fetchPolicy: 'cache-and-network' });
  const now = useNow();
  return (
    <section>
      <h1 tabIndex={-1}>Alerts</h1>
      <div className="segmented" role="group" aria-label="Show alerts">
        {FILTERS.map((f) => (
          <button key={f.text} type="button" aria-pressed={status === f.value} onClick={() => setStatus(f.value)}>
            {f.text}
          </button>
        ))}
      </div>
      {error && <p className="error">{error.message}</p>}
      {data?.alerts.edges.length === 0 && <p>No alerts.</p>}
      <ul className="alerts">
        {data?.alerts.edges.map(({ node: alert }) => (
          <li key={alert.id}>
            <AlertCard alert={alert} now={now} />
          </li>
        ))}
      </ul>
    </section>
  );
}

type AlertNode = ResultOf<typeof ALERTS>['alerts']['edges'][number]['node'];

function AlertCard({ alert, now }: { alert: AlertNode; now: number }) {
  const [ack, { loading: acking, error: ackError }] = useMutation(ACK, {
    errorPolicy: 'all',
    variables: { id: alert.id },
    refetchQueries: ['Alerts', 'Caseload'],
  });
  const [resolve, { loading: resolving, error }] = useMutation(RESOLVE, {
    refetchQueries: ['Alerts', 'Caseload'],
    errorPolicy: 'all',
  });
  const active = alert.status === 'OPEN' || alert.status === 'ESCALATED';
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const note = field(new FormData(event.currentTarget), 'note').trim();
    if (note) void resolve({ variables: { id: alert.id, note } });
  };
  return (
    <article
      className={`alert rag-border-${alert.rag}`}
      data-testid="alert"
      data-alert-id={alert.id}
      data-status={alert.status}
    >
      <header>
        <span className={`rag rag-${alert.rag}`}>{label(alert.rag)}</span>
        <h2>
          {alert.rule.name} · <Link href={`/families/${alert.family.id}`}>{alert.family.reference}</Link>
        </h2>
      </header>
      <p>
        <span className={`alert-status st-${alert.status}`}>{label(alert.status)}</span>
        {active && <span className="due"> · {countdown(alert.dueBy, now)}</span>}
        <span className="muted"> · raised {when(alert.raisedAt)}</span>
      </p>
      {alert.acknowledgedBy && (
        <p className="muted">
          Acknowledged by <Contact card={alert.acknowledgedBy} compact />{' '}
          {alert.acknowledgedAt && when(alert.acknowledgedAt)}
        </p>
      )}
      <details>
        <summary>Why am I seeing this?</summary>
        <p className="explanation">{alert.explanation}</p>
        <p className="muted">
          Rule “{alert.rule.name}”, version {alert.ruleVersion}. The events that made it fire, as you may see them:
        </p>
        <ul className="matched">
          {alert.matchedEvents.map((e) => (
            <li key={e.id}>
              {label(e.kind)}, {when(e.occurredAt)}, {e.agency?.name ?? 'agency withheld'}:{' '}
              {e.redacted ? <em>restricted, content not shown</em> : e.summary}
            </li>
          ))}
        </ul>
      </details>
      {active && (
        <div className="actions">
          {alert.status !== 'ACKNOWLEDGED' && (
            <button type="button" onClick={() => void ack()} disabled={acking}>
              Acknowledge
            </button>
          )}
          {ackError && <p className="error">{ackError.message}</p>}
        </div>
      )}
      {alert.status !== 'RESOLVED' && (
        <form className="resolve" onSubmit={submit}>
          <label htmlFor={`note-${alert.id}`}>Resolve with a note</label>
          <input id={`note-${alert.id}`} name="note" maxLength={2000} />
          <button type="submit" className="secondary" disabled={resolving}>
            Resolve
          </button>
          {error && <p className="error">{error.message}</p>}
        </form>
      )}
    </article>
  );
}
