// A socket.io-client fleet in a process of its own (not Hearth's, not the parent's event loop).
// It connects authenticated sockets, and for the alert scenario it also sends the postEvent
// mutations, so that one clock (this process's) times from the send to the recipient's
// `notification`. The parent drives it over IPC:
//   { type: 'connect', n, tokens }                       → { type: 'connect', connected }
//   { type: 'alerts', rate, seconds, token, familyId, watchToken } → { type: 'alerts', p50, p99, ... }
//   { type: 'answers', rate, seconds, token, familyId, url }  → { type: 'answers', p50, p99, errors }
//     (B1's posts at the same rate: how long its answer takes, the floor of send → answer)
//   { type: 'close' }                                    → { type: 'close' }
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { atFixedRate, histogram, recordSince } from './paced.js';

const url = process.env['FLEET_URL'] ?? '';
const sockets: Socket[] = [];

function connectOne(token: string): Promise<Socket> {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect within 30 s')), 30_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function connect(n: number, tokens: string[]): Promise<number> {
  const start = sockets.length;
  let next = start;
  const workers = Array.from({ length: 32 }, async () => {
    while (next < start + n) {
      const i = next++;
      sockets.push(await connectOne(tokens[i % tokens.length]!));
    }
  });
  await Promise.all(workers);
  // Hearth closes a user's sockets beyond its per-user cap right after connecting: count only
  // the sockets still open once the handshakes have settled.
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (let i = sockets.length - 1; i >= 0; i--) if (!sockets[i]!.connected) sockets.splice(i, 1);
  return sockets.length;
}

/** The benchmark's concern: to Hearth as the postEvent mutation, to B1 as its input itself. */
function concern(familyId: string, i: number) {
  return {
    familyId,
    kind: 'CONCERN',
    severity: 'LOW',
    occurredAt: new Date().toISOString(),
    summary: `Alert benchmark ${i}`,
  };
}

/** Posts a body; the new event's id, or undefined when the post failed. */
async function postEvent(target: string, token: string, body: unknown): Promise<string | undefined> {
  try {
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: { postEvent?: { id: string } } };
    return json.data?.postEvent?.id;
  } catch {
    return undefined;
  }
}

/** B1's posts at the alert scenario's rate: how long each answer takes. */
async function answers(options: {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  token: string;
  familyId: string;
  url: string;
}) {
  const answered = histogram();
  let measuring = false;
  let errors = 0;
  const post = async (i: number, slot: number) => {
    const counted = measuring;
    const id = await postEvent(options.url, options.token, concern(options.familyId, i));
    if (!id) errors++;
    else if (counted) recordSince(answered, slot);
  };
  await atFixedRate(options.rate, options.warmupSeconds, 0, post);
  measuring = true;
  await atFixedRate(options.rate, options.seconds, 1_000_000, post);
  return {
    count: answered.totalCount,
    p50: answered.getValueAtPercentile(50) / 1000,
    p99: answered.getValueAtPercentile(99) / 1000,
    errors,
  };
}

async function alerts(options: {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  token: string;
  familyId: string;
  watchToken: string;
}) {
  // The recipient's own socket: the one whose `notification` is timed.
  const watch = await connectOne(options.watchToken);
  const arrived = new Map<string, number>();
  const sent = new Map<string, number>();
  const notified = histogram();
  // The post's own answer, beside: what of send → notification is the request itself.
  const answered = histogram();
  let measuring = false;
  let errors = 0;
  let missing = 0;
  const record = (eventId: string) => {
    const a = arrived.get(eventId);
    const s = sent.get(eventId);
    if (a === undefined || s === undefined) return;
    arrived.delete(eventId);
    sent.delete(eventId);
    if (s >= 0) notified.recordValue(Math.max(1, Math.round((a - s) * 1000)));
  };
  watch.on('notification', (n: { eventId?: string }) => {
    if (!n.eventId) return;
    arrived.set(n.eventId, performance.now());
    record(n.eventId);
  });
  const post = async (i: number, slot: number) => {
    const counted = measuring;
    const id = await postEvent(`${url}/graphql`, options.token, {
      query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
      variables: { input: concern(options.familyId, i) },
    });
    if (!id) {
      errors++;
      return;
    }
    if (counted) recordSince(answered, slot);
    sent.set(id, counted ? slot : -1);
    record(id);
  };
  await atFixedRate(options.rate, options.warmupSeconds, 0, post);
  measuring = true;
  await atFixedRate(options.rate, options.seconds, 1_000_000, post);
  measuring = false;
  // Late notifications: wait up to 5 s for the last ones.
  for (let i = 0; i < 50 && [...sent.values()].some((s) => s >= 0); i++) await new Promise((r) => setTimeout(r, 100));
  missing = [...sent.values()].filter((s) => s >= 0).length;
  watch.close();
  return {
    count: notified.totalCount,
    p50: notified.getValueAtPercentile(50) / 1000,
    p99: notified.getValueAtPercentile(99) / 1000,
    max: notified.maxValue / 1000,
    answeredP50: answered.getValueAtPercentile(50) / 1000,
    answeredP99: answered.getValueAtPercentile(99) / 1000,
    errors,
    missing,
  };
}

process.on('message', (message: { type: string } & Record<string, unknown>) => {
  const reply = (body: Record<string, unknown>) => process.send?.({ type: message.type, ...body });
  const fail = (error: unknown) => reply({ error: String(error) });
  if (message.type === 'connect')
    connect(message['n'] as number, message['tokens'] as string[]).then((connected) => reply({ connected }), fail);
  else if (message.type === 'alerts') alerts(message as never).then((r) => reply(r), fail);
  else if (message.type === 'answers') answers(message as never).then((r) => reply(r), fail);
  else if (message.type === 'close') {
    for (const socket of sockets.splice(0)) socket.close();
    reply({});
  }
});
process.once('disconnect', () => process.exit(0));
process.send?.({ url });
