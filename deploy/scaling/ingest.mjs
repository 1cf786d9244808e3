// Hearth's own write and read rates, end to end over HTTP: postEvent (the event, its audit entry,
// rule evaluation, alerts and an inbox row per recipient, in one transaction) and timeline pages
// (authorization in SQL, the read audited), closed loop, against running nodes. With the local
// cluster (demo partnership) running:
//
//   HEARTH_CLUSTER_PORTS=3105,3106 npm run cluster:local &
//   HEARTH_URLS=http://127.0.0.1:3105,http://127.0.0.1:3106 node deploy/scaling/ingest.mjs
//
// Requests alternate between the nodes given. Demo accounts only: never against production.
import autocannon from 'autocannon';

const env = process.env;
const urls = (env.HEARTH_URLS || 'http://127.0.0.1:3001,http://127.0.0.1:3002').split(',');
const SECONDS = Number(env.SCALING_SECONDS || 10);
const CONNECTIONS = Number(env.SCALING_CONNECTIONS || 8);

async function gql(url, query, variables, token) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const { login } = await gql(
  urls[0],
  `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
  { e: 'sam.social@demo.hearth', p: 'hearth-demo' },
);
const token = login.accessToken;
const { myFamilies } = await gql(urls[0], `{ myFamilies(first: 10) { edges { node { id reference } } } }`, {}, token);
const familyId = myFamilies.edges.find((e) => e.node.reference === 'NS-2026-0142').node.id;

const post = JSON.stringify({
  query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
  variables: {
    input: { familyId, kind: 'NOTE', severity: 'INFO', summary: 'Load note', occurredAt: new Date().toISOString() },
  },
});
const read = JSON.stringify({
  query: `query ($id: ID!) { timeline(familyId: $id, first: 50) { edges { node { id kind summary } } } }`,
  variables: { id: familyId },
});

async function measure(name, body) {
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}/graphql`,
        method: 'POST',
        connections: Math.max(1, Math.round(CONNECTIONS / urls.length)),
        duration: SECONDS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      }),
    ),
  );
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  const errors = results.reduce((n, r) => n + r.errors + r.non2xx, 0);
  console.log(
    JSON.stringify({
      measure: name,
      nodes: urls.length,
      connections: CONNECTIONS,
      perSecond: Math.round(total / SECONDS),
      p50ms: results.map((r) => r.latency.p50),
      p99ms: results.map((r) => r.latency.p99),
      errors,
    }),
  );
}

await measure('postEvent', post);
await measure('timeline page of 50', read);
