import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { refresh, sessionEnded, validToken } from './session.ts';

async function isUnauthenticated(response: Response): Promise<boolean> {
  if (!response.headers.get('content-type')?.includes('json')) return false;
  const json = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
  return json.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
}

/** Adds the in-memory access token; one refresh and retry when the server says it is no longer good. */
async function authorisedFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const send = (token: string) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers, credentials: 'omit', cache: 'no-store' });
  };
  const token = await validToken();
  if (!token) {
    sessionEnded();
    throw new Error('signed out');
  }
  const response = await send(token);
  if (!(await isUnauthenticated(response))) return response;
  const renewed = (await refresh()) === 'ok' ? await validToken() : null;
  if (!renewed) {
    sessionEnded();
    throw new Error('signed out');
  }
  return send(renewed);
}

/** One client per page load: signing out reloads the page, so the cache never outlives a session. */
export function createClient(): ApolloClient {
  const client = new ApolloClient({
    link: new HttpLink({ uri: '/graphql', fetch: authorisedFetch }),
    cache: new InMemoryCache({
      typePolicies: {
        Query: {
          fields: {
            timeline: relayStylePagination(['familyId', 'filter']),
            auditEntries: relayStylePagination(['filter']),
            users: relayStylePagination(['agencyId']),
          },
        },
        // A contact card is a view of a person in one family (a sensitive member differs per family).
        ContactCard: { keyFields: false },
        NetworkMember: { keyFields: false },
        Notification: { keyFields: false },
        SharingPolicyEntry: { keyFields: false },
      },
    }),
    devtools: { enabled: false },
  });
  // Test builds expose the cache so the browser tests can prove what it does not hold.
  if (import.meta.env.MODE === 'test') Object.assign(window, { __HEARTH_APOLLO__: client });
  return client;
}
