import { readFragment, type FragmentOf } from './graphql.ts';
import { CARD } from './fragments.ts';
import { AGENCY_WITHHELD } from './format.ts';

/** How to reach someone: a sensitive member shows a contact route, never their service. */
export function Contact({ card: ref, compact = false }: { card: FragmentOf<typeof CARD>; compact?: boolean }) {
  const card = readFragment(CARD, ref);
  const routes = [
    card.phone && (
      <a key="phone" href={`tel:${card.phone}`}>
        {card.phone}
      </a>
    ),
    card.email && (
      <a key="email" href={`mailto:${card.email}`}>
        {card.email}
      </a>
    ),
  ].filter(Boolean);
  return (
    <span className="contact">
      <strong>{card.displayName}</strong>
      {card.jobTitle && <span>, {card.jobTitle}</span>}
      <span className="muted"> · {card.agency ? card.agency.name : AGENCY_WITHHELD}</span>
      {!compact && card.contactRoute && <span className="route"> · Contact via {card.contactRoute}</span>}
      {!compact && routes.length > 0 && (
        <span className="routes">
          {' '}
          · {routes.reduce<React.ReactNode[]>((all, r, i) => (i ? [...all, ' · ', r] : [r]), [])}
        </span>
      )}
    </span>
  );
}
