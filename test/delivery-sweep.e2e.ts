import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DeliverySweep, RealtimeGateway, userRoom } from '@hearth/realtime';
import { connectSocket, eventually, type ReceivedNotification, type TestSocket } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The delivery sweep, on two nodes that cannot reach each other's sockets (no socket adapter: a
 * push from node B never reaches a socket on node A, as when the adapter is down). The sweep's
 * timer is a minute, so each test runs node A's sweep itself: what it sends is known exactly.
 */
jest.setTimeout(120_000);

const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

describe('the delivery sweep', () => {
  let a: TestApp;
  let b: TestApp;
  let sweep: DeliverySweep;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  const sockets: TestSocket[] = [];
  const env = { HEARTH_SOCKET_ADAPTER: 'none', HEARTH_DELIVERY_SWEEP_INTERVAL_MS: '60000' };

  const connect = async (who: DemoUser) => {
    const socket = await connectSocket(a.url, as[who].accessToken);
    sockets.push(socket);
    return socket;
  };
  const post = async (node: TestApp, who: DemoUser, familyId: string, summary: string) =>
    (
      await node.gqlData<{ postEvent: { id: string } }>({
        query: POST,
        variables: {
          input: { familyId, kind: 'NOTE', severity: 'INFO', summary, occurredAt: new Date().toISOString() },
        },
        token: as[who].accessToken,
      })
    ).postEvent.id;
  const isEvent = (eventId: string) => (n: ReceivedNotification) => n.type === 'EVENT_POSTED' && n.eventId === eventId;
  /** Two sweeps: the first finds what is missing, the second sends what is still missing. */
  const sweepTwice = async () => (await sweep.run()) + (await sweep.run());

  beforeAll(async () => {
    a = await startTestApp(env);
    b = await startTestApp(env, { shareDatabaseOf: a });
    sweep = a.hearth.app.get(DeliverySweep);
    ({ sessions: as, families } = await demoWorld(a));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await b?.close();
    await a?.close();
  });

  it('sends a connected client what a lost push did not bring, once, and nothing twice', async () => {
    const walsh = families['NS-2026-0142']!;
    const dee = await connect('dee.school');
    const lost = await post(b, 'pat.police', walsh, 'Posted on node B');
    const marker = await post(a, 'pat.police', walsh, 'Posted on node A');
    // The later post is pushed on node A; the earlier one's push went to node B's sockets only.
    const markerSeen = await dee.next(isEvent(marker), 10_000);
    expect(dee.received.filter(isEvent(lost))).toEqual([]);

    expect(await sweepTwice()).toBe(1);
    const found = await dee.next(isEvent(lost), 10_000);
    expect(found.seq).toBeLessThan(markerSeen.seq);
    expect(found.familyId).toBe(walsh);
    expect(await sweepTwice()).toBe(0);
    const seqs = dee.received.map((n) => n.seq);
    expect(new Set(seqs).size).toBe(seqs.length);

    // The next test counts what the sweep sends to hal alone.
    dee.close();
    const gateway = a.hearth.app.get(RealtimeGateway);
    await eventually(
      async () => (await gateway.server!.in(userRoom(as['dee.school'].userId)).fetchSockets()).length === 0,
      {
        what: 'node A letting go of the socket',
      },
    );
  });

  it('sends a member removed from the family nothing of it, while it sends her what she may still be told', async () => {
    const walsh = families['NS-2026-0142']!;
    const hassan = families['NS-2026-0157']!;
    const hal = await connect('hal.health');
    const before = await post(b, 'pat.police', walsh, 'Decided while hal is a member');
    await b.gqlData({
      query: `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`,
      variables: { f: walsh, u: as['hal.health'].userId },
      token: as['sam.social'].accessToken,
    });
    const control = await post(b, 'sam.social', hassan, 'A family hal still works with');
    // The inbox holds both for hal, and neither push reached node A.
    const { rows } = await query<{ event_id: string; seq: number }>(
      a,
      `SELECT event_id, seq FROM notifications WHERE user_id = $1 AND event_id = ANY($2::uuid[]) ORDER BY seq`,
      [as['hal.health'].userId, [before, control]],
    );
    expect(rows.map((r) => r.event_id)).toEqual([before, control]);
    expect(hal.received).toEqual([]);

    // One sweep would send both in order; it sends only what the audience still allows.
    expect(await sweepTwice()).toBe(1);
    await hal.next(isEvent(control), 10_000);
    expect(hal.received.filter((n) => n.familyId === walsh)).toEqual([]);
    expect(await sweepTwice()).toBe(0);
    expect(hal.received.filter((n) => n.familyId === walsh)).toEqual([]);
  });
});
