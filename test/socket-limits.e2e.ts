import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io, type Socket } from 'socket.io-client';
import {
  EVENTS_PER_SECOND,
  MAX_PAYLOAD_BYTES,
  RealtimeGateway,
  SOCKETS_PER_USER,
  UNKNOWN_EVENTS_ALLOWED,
  userRoom,
} from '@hearth/realtime';
import { connectSocket, eventually, type TestSocket } from '@hearth/testing';
import { demoWorld, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * What a client may do with its socket, with real socket.io clients: it joins no room of its
 * choosing, and unknown events, large payloads, bursts and extra connections are cut off, while
 * a legitimate `resume` keeps working beside them.
 */
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

describe('limits on what a socket may do', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  let gateway: RealtimeGateway;
  const opened: { close(): unknown }[] = [];

  const connect = async (who: DemoUser): Promise<TestSocket> => {
    const socket = await connectSocket(app.url, as[who].accessToken);
    opened.push(socket);
    return socket;
  };
  const resume = async (socket: Socket) =>
    (await socket.timeout(10_000).emitWithAck('resume', { afterSeq: 0 })) as { ok: boolean; replayed?: number };
  const disconnected = (socket: Socket) =>
    new Promise<string>((resolve) => {
      if (!socket.connected) resolve('already');
      else socket.once('disconnect', (reason) => resolve(reason));
    });
  const post = (who: DemoUser, familyId: string, summary: string) =>
    app.gqlData({
      query: POST,
      variables: {
        input: { familyId, kind: 'NOTE', severity: 'INFO', occurredAt: new Date().toISOString(), summary },
      },
      token: as[who].accessToken,
    });
  const socketsOf = async (who: DemoUser) => gateway.server!.in(userRoom(as[who].userId)).fetchSockets();

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as, families } = await demoWorld(app));
    gateway = app.hearth.app.get(RealtimeGateway);
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await app.close();
  });

  it("lets no client join a room: naming sam's room brings dee nothing of sam's", async () => {
    const hassan = families['NS-2026-0157']!; // sam leads, hal is a member, dee is not
    const walsh = families['NS-2026-0142']!; // dee is a member
    const sam = await connect('sam.social');
    const dee = await connect('dee.school');
    for (const event of ['join', 'subscribe', 'joinRoom']) {
      dee.socket.emit(event, userRoom(as['sam.social'].userId));
      dee.socket.emit(event, { room: userRoom(as['sam.social'].userId), familyId: hassan });
    }
    expect(await resume(dee.socket)).toMatchObject({ ok: true });

    await post('hal.health', hassan, 'For the network of the Hassan family');
    await sam.next((n) => n.type === 'EVENT_POSTED' && n.familyId === hassan);
    // A later push dee may have marks that anything sent to her before it has arrived.
    await post('pat.police', walsh, 'Marker for dee');
    await dee.next((n) => n.type === 'EVENT_POSTED' && n.familyId === walsh);
    expect(dee.received.filter((n) => n.familyId === hassan)).toEqual([]);
    // And the server agrees: sam's room holds sam's sockets only.
    const inSamsRoom = await socketsOf('sam.social');
    expect(inSamsRoom.length).toBeGreaterThan(0);
    expect(inSamsRoom.map((s) => (s.data as { principal: { userId: string } }).principal.userId)).toEqual(
      inSamsRoom.map(() => as['sam.social'].userId),
    );
  });

  it(`ignores up to ${UNKNOWN_EVENTS_ALLOWED} unknown events, answering resume beside them, and disconnects at the next`, async () => {
    const hal = await connect('hal.health');
    const before = gateway.unknownEventsTotal;
    for (let i = 0; i < UNKNOWN_EVENTS_ALLOWED; i++) hal.socket.emit(i % 2 ? 'join' : `probe-${i}`, { i });
    expect(await resume(hal.socket)).toMatchObject({ ok: true });
    expect(hal.socket.connected).toBe(true);
    expect(gateway.unknownEventsTotal - before).toBe(UNKNOWN_EVENTS_ALLOWED);

    const gone = disconnected(hal.socket);
    hal.socket.emit('one-too-many');
    expect(await gone).toBe('io server disconnect');
    expect(gateway.unknownEventsTotal - before).toBe(UNKNOWN_EVENTS_ALLOWED + 1);
  });

  it(`answers a message under ${MAX_PAYLOAD_BYTES} bytes and cuts the connection of one over it`, async () => {
    const pat = await connect('pat.police');
    const under = (await pat.socket
      .timeout(10_000)
      .emitWithAck('resume', { afterSeq: 0, padding: 'x'.repeat(MAX_PAYLOAD_BYTES / 2) })) as { ok: boolean };
    // Answered (and refused by its shape, which allows no extra field): the size was accepted.
    expect(under).toEqual({ ok: false, error: 'afterSeq must be a non-negative integer' });
    expect(pat.socket.connected).toBe(true);

    const gone = disconnected(pat.socket);
    pat.socket.emit('resume', { afterSeq: 0, padding: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) });
    expect(await gone).toBe('transport close');

    const again = await connect('pat.police');
    expect(await resume(again.socket)).toMatchObject({ ok: true });
  });

  it(`answers events at a steady pace and disconnects a burst beyond ${EVENTS_PER_SECOND} a second`, async () => {
    const mia = await connect('mia.manager');
    for (let i = 0; i < 5; i++) expect(await resume(mia.socket)).toMatchObject({ ok: true });
    expect(mia.socket.connected).toBe(true);

    const gone = disconnected(mia.socket);
    // Sent in one go: whichever seconds they land in, one of them holds more than the allowance.
    for (let i = 0; i < EVENTS_PER_SECOND * 5; i++) mia.socket.emit('ack', { seq: 1 });
    expect(await gone).toBe('io server disconnect');

    const again = await connect('mia.manager');
    expect(await resume(again.socket)).toMatchObject({ ok: true });
  });

  it(`holds ${SOCKETS_PER_USER} sockets of one user, refuses more even when they arrive at once, and takes a new one when one closes`, async () => {
    const token = as['ada.admin'].accessToken;
    const extra = 5;
    const clients = Array.from({ length: SOCKETS_PER_USER + extra }, () => {
      const socket = io(app.url, {
        path: '/socket.io',
        transports: ['websocket'],
        auth: { token },
        reconnection: false,
        forceNew: true,
      });
      opened.push(socket);
      const told: string[] = [];
      socket.on('error', (e: { message: string }) => told.push(e.message));
      return { socket, told, gone: disconnected(socket) };
    });
    // Every handshake is accepted; the extra ones are told why and disconnected.
    await eventually(
      () => Promise.resolve(clients.filter((c) => !c.socket.connected && c.told.length > 0).length >= extra),
      {
        what: `${extra} sockets refused`,
        timeoutMs: 30_000,
      },
    );
    const refused = clients.filter((c) => c.told.length > 0);
    expect(refused).toHaveLength(extra);
    for (const c of refused) expect(c.told).toEqual(['too many connections']);
    const kept = clients.filter((c) => c.told.length === 0);
    expect(kept).toHaveLength(SOCKETS_PER_USER);
    for (const c of kept) {
      expect(c.socket.connected).toBe(true);
      expect(await resume(c.socket)).toMatchObject({ ok: true });
    }
    expect(await socketsOf('ada.admin')).toHaveLength(SOCKETS_PER_USER);

    kept[0]!.socket.close();
    await eventually(async () => (await socketsOf('ada.admin')).length === SOCKETS_PER_USER - 1, {
      what: 'the closed socket leaving',
    });
    const another = await connect('ada.admin');
    expect(await resume(another.socket)).toMatchObject({ ok: true });
    expect(another.socket.connected).toBe(true);
  });
});
