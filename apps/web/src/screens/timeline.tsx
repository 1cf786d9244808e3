import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Contact } from '../contact.tsx';
import { CARD } from '../fragments.ts';
import { AGENCY_WITHHELD, label, when, field } from '../format.ts';
import { graphql, readFragment, type FragmentOf, type VariablesOf } from '../graphql.ts';

export const EVENT = graphql(
  `
    fragment Event on TimelineEvent {
      id
      kind
      severity
      occurredAt
      recordedAt
      visibility
      redacted
      summary
      body
      amendmentReason
      agency {
        id
        name
      }
      author {
        ...Card
      }
      subjects {
        id
        givenName
        familyName
      }
      amends {
        id
        kind
        occurredAt
        redacted
        summary
      }
      replies {
        id
        body
        createdAt
        author {
          displayName
          agency {
            id
            name
          }
        }
      }
      acknowledgedBy {
        userId
        displayName
      }
    }
  `,
  [CARD],
);

export const TIMELINE = graphql(
  `
    query Timeline($familyId: ID!, $first: Int, $after: String, $filter: TimelineFilter) {
      timeline(familyId: $familyId, first: $first, after: $after, filter: $filter) {
        edges {
          cursor
          node {
            ...Event
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  `,
  [EVENT],
);

const REPLY = graphql(`
  mutation Reply($eventId: ID!, $body: String!) {
    replyToEvent(eventId: $eventId, body: $body) {
      id
    }
  }
`);

const ACKNOWLEDGE = graphql(
  `
    mutation AcknowledgeEvent($eventId: ID!) {
      acknowledgeEvent(eventId: $eventId) {
        ...Event
      }
    }
  `,
  [EVENT],
);

export const EVENT_KINDS = [
  'CONCERN',
  'INCIDENT',
  'DOMESTIC_ABUSE_INCIDENT',
  'MISSING_EPISODE',
  'SCHOOL_ABSENCE',
  'UNSCHEDULED_CARE_ATTENDANCE',
  'APPOINTMENT_MISSED',
  'INJURY',
  'REFERRAL',
  'ASSESSMENT',
  'MEETING',
  'PLAN_CHANGE',
  'NOTE',
] as const;

type Filter = NonNullable<VariablesOf<typeof TIMELINE>['filter']>;
type Kind = (typeof EVENT_KINDS)[number];

export interface TimelineProps {
  familyId: string;
  people: { id: string; givenName: string; familyName: string }[];
  agencies: { id: string; name: string }[];
}

export function Timeline({ familyId, people, agencies }: TimelineProps) {
  const [filter, setFilter] = useState<Filter>({});
  const { data, loading, error, fetchMore } = useQuery(TIMELINE, {
    variables: { familyId, first: 20, filter },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  const connection = data?.timeline;
  const more = () => {
    if (connection?.pageInfo.hasNextPage) void fetchMore({ variables: { after: connection.pageInfo.endCursor } });
  };
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = sentinel.current;
    if (!node) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !loading) more();
    });
    observer.observe(node);
    return () => observer.disconnect();
  });
  return (
    <section aria-labelledby="timeline-heading" className="timeline">
      <h2 id="timeline-heading">Timeline</h2>
      <Filters people={people} agencies={agencies} onChange={setFilter} />
      {error && <p className="error">The timeline could not be loaded. {error.message}</p>}
      {connection && connection.edges.length === 0 && <p>No entries match.</p>}
      <ol className="events" aria-label="Timeline entries, newest first">
        {connection?.edges.map((edge) => (
          <li key={edge.cursor}>
            <EventItem event={edge.node} />
          </li>
        ))}
      </ol>
      <div ref={sentinel} />
      {loading && <p className="loading">Loading…</p>}
      {connection?.pageInfo.hasNextPage && !loading && (
        <button type="button" className="secondary" onClick={more}>
          Show older entries
        </button>
      )}
    </section>
  );
}

function Filters({
  people,
  agencies,
  onChange,
}: {
  people: TimelineProps['people'];
  agencies: TimelineProps['agencies'];
  onChange: (filter: Filter) => void;
}) {
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => field(form, name) || null;
    const from = value('from');
    const to = value('to');
    const kind = value('kind') as Kind | null;
    onChange({
      kinds: kind ? [kind] : null,
      agencyId: value('agency'),
      subjectId: value('person'),
      from: from ? new Date(`${from}T00:00:00Z`).toISOString() : null,
      to: to ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString() : null,
    });
  };
  return (
    <form className="filters" onSubmit={apply} onReset={() => onChange({})} aria-label="Filter the timeline">
      <div>
        <label htmlFor="filter-kind">Kind</label>
        <select id="filter-kind" name="kind" defaultValue="">
          <option value="">Any kind</option>
          {EVENT_KINDS.map((k) => (
            <option key={k} value={k}>
              {label(k)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="filter-agency">Agency</label>
        <select id="filter-agency" name="agency" defaultValue="">
          <option value="">Any agency</option>
          {agencies.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="filter-person">About</label>
        <select id="filter-person" name="person" defaultValue="">
          <option value="">Anyone</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.givenName} {p.familyName}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="filter-from">From</label>
        <input id="filter-from" name="from" type="date" />
      </div>
      <div>
        <label htmlFor="filter-to">To</label>
        <input id="filter-to" name="to" type="date" />
      </div>
      <div className="actions">
        <button type="submit" className="secondary">
          Filter
        </button>
        <button type="reset" className="link">
          Clear
        </button>
      </div>
    </form>
  );
}

const VISIBILITY_TEXT = {
  NETWORK: 'Whole network',
  AGENCY: 'Posting agency only',
  RESTRICTED: 'Named people only',
} as const;

export function EventItem({ event: ref }: { event: FragmentOf<typeof EVENT> }) {
  const event = readFragment(EVENT, ref);
  const author = readFragment(CARD, event.author);
  const [ack, { loading: acking, error: ackError }] = useMutation(ACKNOWLEDGE, {
    variables: { eventId: event.id },
    errorPolicy: 'all',
  });
  return (
    <article
      className={`event severity-${event.severity}${event.redacted ? ' redacted' : ''}`}
      data-testid="event"
      data-event-id={event.id}
      aria-label={`${label(event.kind)}, ${when(event.occurredAt)}`}
    >
      <header>
        <span className="kind">{label(event.kind)}</span>
        <span className={`severity sev-${event.severity}`}>{label(event.severity)}</span>
        <span className={`visibility vis-${event.visibility}`} title={VISIBILITY_TEXT[event.visibility]}>
          {VISIBILITY_TEXT[event.visibility]}
        </span>
        <time dateTime={event.occurredAt}>{when(event.occurredAt)}</time>
      </header>
      <p className="byline">
        {author.displayName} · {event.agency?.name ?? AGENCY_WITHHELD}
      </p>
      {event.redacted ? (
        <div className="restricted" data-testid="restricted">
          <p>
            <strong>Restricted entry.</strong> You are outside its audience, so its content is not shown.
          </p>
          <p>
            If you need to know more, contact <Contact card={event.author} />.
          </p>
        </div>
      ) : (
        <>
          {event.amends && (
            <p className="amends">
              Corrects the {label(event.amends.kind).toLowerCase()} of {when(event.amends.occurredAt)}
              {event.amends.summary ? `: “${event.amends.summary}”` : ''}
              {event.amendmentReason ? ` — reason: ${event.amendmentReason}` : ''}
            </p>
          )}
          <p className="summary">{event.summary}</p>
          {event.body && <p className="body">{event.body}</p>}
        </>
      )}
      {event.subjects.length > 0 && (
        <p className="muted">About: {event.subjects.map((p) => `${p.givenName} ${p.familyName}`).join(', ')}</p>
      )}
      {!event.redacted && (
        <footer>
          <p className="muted">
            {event.acknowledgedBy.length > 0
              ? `Read by ${event.acknowledgedBy.map((c) => c.displayName).join(', ')}`
              : 'Not acknowledged yet'}
          </p>
          <button type="button" className="secondary" disabled={acking} onClick={() => void ack()}>
            Acknowledge
          </button>
          {ackError && <p className="error">{ackError.message}</p>}
          <Replies eventId={event.id} replies={event.replies} />
        </footer>
      )}
    </article>
  );
}

interface ReplyView {
  id: string;
  body: string;
  createdAt: string;
  author: { displayName: string; agency: { name: string } | null };
}

function Replies({ eventId, replies }: { eventId: string; replies: readonly ReplyView[] }) {
  const [send, { loading, error }] = useMutation(REPLY, { refetchQueries: ['Timeline'] });
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const body = field(new FormData(form), 'body').trim();
    if (!body) return;
    await send({ variables: { eventId, body } });
    form.reset();
  };
  return (
    <div className="replies">
      {replies.length > 0 && (
        <ul aria-label="Replies">
          {replies.map((reply) => (
            <li key={reply.id}>
              <strong>{reply.author.displayName}</strong>{' '}
              <span className="muted">
                · {reply.author.agency?.name ?? AGENCY_WITHHELD} · {when(reply.createdAt)}
              </span>
              <p>{reply.body}</p>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={(e) => void submit(e)} className="reply">
        <label htmlFor={`reply-${eventId}`}>Reply</label>
        <input id={`reply-${eventId}`} name="body" maxLength={5000} />
        <button type="submit" className="secondary" disabled={loading}>
          Send
        </button>
        {error && <p className="error">{error.message}</p>}
      </form>
    </div>
  );
}
