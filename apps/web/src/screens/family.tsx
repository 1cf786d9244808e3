import { useMutation, useQuery } from '@apollo/client/react';
import { lazy, Suspense, useEffect, useState } from 'react';
import { Contact } from '../contact.tsx';
import { CARD } from '../fragments.ts';
import { day, label } from '../format.ts';
import { graphql, readFragment } from '../graphql.ts';
import { useScreenTitle } from '../router.tsx';
import { currentUser, hasRole } from '../session.ts';
import { markSeen } from '../unread.ts';
import { fieldErrors, PostEvent } from './post-event.tsx';
import { Timeline } from './timeline.tsx';

// The directory search loads only for those who may invite, when they open a family.
const InviteByDirectory = lazy(() => import('./invite.tsx').then((m) => ({ default: m.InviteByDirectory })));

export const FAMILY = graphql(
  `
    query Family($id: ID!) {
      family(id: $id) {
        id
        reference
        status
        protectionStatus
        lead {
          ...Card
        }
        members {
          role
          addedAt
          expiresAt
          user {
            ...Card
          }
        }
        people {
          id
          role
          givenName
          familyName
          dateOfBirth
          address
          addressWithheld
          nhsNumber
          schoolUpn
          policeReference
        }
      }
    }
  `,
  [CARD],
);

const JOIN_REQUESTS = graphql(
  `
    query JoinRequests($familyId: ID!) {
      joinRequests(familyId: $familyId) {
        id
        reason
        createdAt
        status
        requester {
          ...Card
        }
      }
    }
  `,
  [CARD],
);

const SET_STATUS = graphql(`
  mutation SetProtectionStatus($familyId: ID!, $status: ProtectionStatus!) {
    setProtectionStatus(familyId: $familyId, status: $status) {
      id
      protectionStatus
    }
  }
`);
const REMOVE = graphql(`
  mutation RemoveMember($familyId: ID!, $userId: ID!) {
    removeNetworkMember(familyId: $familyId, userId: $userId)
  }
`);
const TRANSFER = graphql(`
  mutation TransferLead($familyId: ID!, $userId: ID!) {
    transferLead(familyId: $familyId, userId: $userId) {
      id
    }
  }
`);
const DECIDE = graphql(`
  mutation DecideJoin($id: ID!, $approve: Boolean!) {
    decideJoinRequest(id: $id, approve: $approve) {
      id
      status
    }
  }
`);

const STATUSES = ['NONE', 'EARLY_HELP', 'CHILD_IN_NEED', 'CHILD_PROTECTION_PLAN', 'LOOKED_AFTER'] as const;

export function FamilyScreen({ familyId }: { familyId: string }) {
  const { data, error, refetch } = useQuery(FAMILY, { variables: { id: familyId }, fetchPolicy: 'cache-and-network' });
  const family = data?.family;
  useScreenTitle(family ? `Family ${family.reference}` : 'Family');
  useEffect(() => markSeen(familyId), [familyId, data]);
  if (error && !family) {
    return (
      <section>
        <h1 tabIndex={-1}>Family not found</h1>
        <p>This family does not exist, or you are not in its network.</p>
      </section>
    );
  }
  if (!family) return <p className="loading">Loading…</p>;
  const me = currentUser()!;
  const lead = readFragment(CARD, family.lead);
  const iLead = lead.userId === me.id;
  const cards = family.members.map((m) => ({ ...m, card: readFragment(CARD, m.user) }));
  // Any practitioner or manager in the network may invite a colleague (break-glass access may not).
  const mayInvite = (hasRole('PRACTITIONER') || hasRole('MANAGER')) && cards.some((m) => m.card.userId === me.id);
  const agencies = [
    ...new Map(cards.flatMap((m) => (m.card.agency ? [[m.card.agency.id, m.card.agency] as const] : []))).values(),
  ];
  const pickable = cards
    .filter((m) => m.card.agency && m.card.userId !== me.id)
    .map((m) => ({ userId: m.card.userId, displayName: m.card.displayName, agencyName: m.card.agency!.name }));
  return (
    <div className="family">
      <header className="family-head">
        <h1 tabIndex={-1}>Family {family.reference}</h1>
        <p>
          <span className={`status status-${family.protectionStatus}`}>{label(family.protectionStatus)}</span>{' '}
          <span className="muted">· {family.status === 'OPEN' ? 'Open' : 'Closed'} · Lead: </span>
          <Contact card={family.lead} compact />
        </p>
      </header>
      <div className="family-grid">
        <div className="main-col">
          <PostEvent
            familyId={familyId}
            people={family.people}
            members={pickable}
            agencies={agencies}
            onPosted={() => undefined}
          />
          <Timeline familyId={familyId} people={family.people} agencies={agencies} />
        </div>
        <aside className="side-col">
          <section aria-labelledby="people-heading">
            <h2 id="people-heading">People</h2>
            <ul className="people">
              {family.people.map((p) => (
                <li key={p.id} className="card">
                  <strong>
                    {p.givenName} {p.familyName}
                  </strong>{' '}
                  <span className="muted">{label(p.role)}</span>
                  <dl className="facts">
                    <dt>Born</dt>
                    <dd>{p.dateOfBirth ? day(p.dateOfBirth) : 'Not recorded'}</dd>
                    <dt>Address</dt>
                    <dd>
                      {p.address ?? (p.addressWithheld ? <span className="withheld">Withheld</span> : 'Not recorded')}
                    </dd>
                    {p.nhsNumber && (
                      <>
                        <dt>NHS number</dt>
                        <dd>{p.nhsNumber}</dd>
                      </>
                    )}
                    {p.schoolUpn && (
                      <>
                        <dt>School UPN</dt>
                        <dd>{p.schoolUpn}</dd>
                      </>
                    )}
                    {p.policeReference && (
                      <>
                        <dt>Police ref.</dt>
                        <dd>{p.policeReference}</dd>
                      </>
                    )}
                  </dl>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="network-heading">
            <h2 id="network-heading">Who works with this family</h2>
            <ul className="network" aria-label="Network members">
              {cards.map((m) => (
                <li key={m.card.userId} className="card" data-testid="member">
                  <Contact card={m.user} />
                  <p className="muted">
                    {m.role === 'LEAD' ? 'Lead practitioner' : 'Member'} since {day(m.addedAt)}
                    {m.expiresAt && <strong className="expires"> · access ends {day(m.expiresAt)}</strong>}
                  </p>
                  {/* A sensitive member's id is opaque to other agencies: they are reached by their contact route. */}
                  {iLead && m.card.userId !== me.id && m.card.agency && (
                    <MemberActions
                      familyId={familyId}
                      userId={m.card.userId}
                      name={m.card.displayName}
                      onDone={() => void refetch()}
                    />
                  )}
                </li>
              ))}
            </ul>
          </section>
          {mayInvite && (
            <Suspense fallback={<p className="loading">Loading…</p>}>
              <InviteByDirectory
                familyId={familyId}
                memberIds={cards.map((m) => m.card.userId)}
                onAdded={() => void refetch()}
              />
            </Suspense>
          )}
          {iLead && <LeadActions familyId={familyId} status={family.protectionStatus} onDone={() => void refetch()} />}
        </aside>
      </div>
    </div>
  );
}

function MemberActions({
  familyId,
  userId,
  name,
  onDone,
}: {
  familyId: string;
  userId: string;
  name: string;
  onDone: () => void;
}) {
  const [remove] = useMutation(REMOVE, { variables: { familyId, userId } });
  const [transfer] = useMutation(TRANSFER, { variables: { familyId, userId } });
  const [error, setError] = useState<string | null>(null);
  const act = (question: string, run: () => Promise<unknown>) => {
    if (!confirm(question)) return;
    setError(null);
    run().then(onDone, (e: unknown) => setError(Object.values(fieldErrors(e))[0] ?? 'That did not work'));
  };
  return (
    <div className="actions">
      <button type="button" className="link" onClick={() => act(`Remove ${name} from this network?`, remove)}>
        Remove
      </button>
      <button type="button" className="link" onClick={() => act(`Make ${name} the lead practitioner?`, transfer)}>
        Make lead
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function LeadActions({ familyId, status, onDone }: { familyId: string; status: string; onDone: () => void }) {
  const [setStatus] = useMutation(SET_STATUS);
  const [decide] = useMutation(DECIDE);
  const requests = useQuery(JOIN_REQUESTS, { variables: { familyId } });
  return (
    <section aria-labelledby="lead-heading">
      <h2 id="lead-heading">Lead actions</h2>
      <label htmlFor="protection">Protection status</label>
      <select
        id="protection"
        value={status}
        onChange={(e) =>
          void setStatus({ variables: { familyId, status: e.target.value as (typeof STATUSES)[number] } })
        }
      >
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {label(s)}
          </option>
        ))}
      </select>
      <h3>Requests to join</h3>
      {requests.data?.joinRequests.length ? (
        <ul>
          {requests.data.joinRequests.map((r) => (
            <li key={r.id} className="card">
              <Contact card={r.requester} />
              <p>{r.reason}</p>
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  void decide({ variables: { id: r.id, approve: true } }).then(onDone, () => requests.refetch())
                }
              >
                Approve
              </button>{' '}
              <button
                type="button"
                className="link"
                onClick={() =>
                  void decide({ variables: { id: r.id, approve: false } }).finally(() => void requests.refetch())
                }
              >
                Decline
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No pending requests.</p>
      )}
    </section>
  );
}
