import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AlertScheduler } from '@hearth/alerts';
import { readTestSettings } from '@hearth/config';
import { RealtimeGateway } from '@hearth/realtime';
import { connectSocket, errorCode, eventually, refusedHandshake, type TestSocket } from '@hearth/testing';
import { demoWorld, type DemoUser } from './support/demo.js';
import { login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;
const ALERTS = `query ($status: AlertStatus) { alerts(status: $status, first: 50) { edges { node {
  id rag status explanation ruleVersion rule { name version } matchedEvents { id kind } family { reference } } } } }`;

interface AlertNode {
  id: string;
  rag: string;
  status: string;
  explanation: string;
  rule: { name: string; version: number };
  matchedEvents: { id: string; kind: string }[];
  family: { reference: string };
}

describe('early warning in real time', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  const sockets: TestSocket[] = [];
  const connect = async (who: DemoUser, target: TestApp = app) => {
    const socket = await connectSocket(target.url, as[who].accessToken);
    sockets.push(socket);
    return socket;
  };
  const personId = async (who: DemoUser, familyId: string, givenName: string) => {
    const { family } = await app.gqlData<{ family: { people: { id: string; givenName: string }[] } }>({
      query: `query ($id: ID!) { family(id: $id) { people { id givenName } } }`,
      variables: { id: familyId },
      token: as[who].accessToken,
    });
    return family.people.find((p) => p.givenName === givenName)!.id;
  };
  const post = (who: DemoUser, input: Record<string, unknown>) =>
    app.gqlData<{ postEvent: { id: string } }>({
      query: POST,
      variables: { input: { occurredAt: new Date().toISOString(), severity: 'MEDIUM', ...input } },
      token: as[who].accessToken,
    });
  const alertsOf = async (who: DemoUser) =>
    (
      await app.gqlData<{ alerts: { edges: { node: AlertNode }[] } }>({ query: ALERTS, token: as[who].accessToken })
    ).alerts.edges.map((e) => e.node);

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as, families } = await demoWorld(app));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app.close();
  });

  describe('the handshake', () => {
    it('refuses no token, a bad token and a token in the query string', async () => {
      expect(await refusedHandshake(app.url, undefined)).toBe('unauthorized');
      expect(await refusedHandshake(app.url, 'not-a-token')).toBe('unauthorized');
      expect(await refusedHandshake(app.url, undefined, { query: { token: as['dee.school'].accessToken } })).toBe(
        'unauthorized',
      );
    });

    it("keeps nothing of a connected socket's handshake: not its token, not its request's headers", async () => {
      const token = as['dee.school'].accessToken;
      const dee = await connect('dee.school');
      const server = app.hearth.app.get(RealtimeGateway).server!;
      // Positive control: the server holds the socket, in its user's room (and no room of its own).
      const socket = server.of('/').sockets.get(dee.socket.id!)!;
      expect(socket).toBeDefined();
      expect([...socket.rooms]).toEqual([expect.stringContaining(as['dee.school'].userId)]);
      const conn = socket.conn as unknown as { request: unknown };
      expect(conn.request).toBeNull();
      expect(JSON.stringify(socket.handshake)).not.toContain(token);
      expect(socket.handshake.headers).toEqual({});
      expect(socket.handshake.auth).toEqual({});
    });

    it('refuses a browser origin that is not on the allow-list', async () => {
      const message = await refusedHandshake(app.url, as['dee.school'].accessToken, { origin: 'https://evil.example' });
      expect(message).not.toBe('');
      const allowed = await connectSocket(app.url, as['dee.school'].accessToken);
      expect(allowed.socket.connected).toBe(true);
      allowed.close();
    });
  });

  it('tells the school at once when the police post a domestic abuse incident about a child, and nobody outside the network', async () => {
    const brooks = families['NS-2026-0163']!;
    const tyler = await personId('pat.police', brooks, 'Tyler');
    const dee = await connect('dee.school');
    const hal = await connect('hal.health');
    const started = Date.now();
    await post('pat.police', {
      familyId: brooks,
      kind: 'DOMESTIC_ABUSE_INCIDENT',
      severity: 'HIGH',
      summary: 'Call-out to the grandmother’s address',
      subjectIds: [tyler],
    });
    // With the missing episode and the school's concern of last month this also makes three
    // multi-agency concerns (an AMBER alert); the RED one is Operation Encompass.
    const alert = await dee.next((n) => n.type === 'ALERT_RAISED' && n.rag === 'RED', 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(alert.familyId).toBe(brooks);
    expect(JSON.stringify(alert)).not.toContain('grandmother');
    const raised = (await alertsOf('dee.school')).find((a) => a.id === alert.alertId);
    expect(raised).toMatchObject({ rag: 'RED', rule: { name: 'Domestic abuse notification (Operation Encompass)' } });
    // A sentinel hal must hear of, posted after: once it has arrived, nothing about Brooks came before it.
    const walsh = families['NS-2026-0142']!;
    const sentinel = await post('pat.police', { familyId: walsh, kind: 'NOTE', severity: 'INFO', summary: 'Sentinel' });
    const heard = await hal.next((n) => n.type === 'EVENT_POSTED' && n.eventId === sentinel.postEvent.id, 10_000);
    expect(heard.familyId).toBe(walsh);
    expect(hal.received.filter((n) => n.familyId === brooks)).toEqual([]);
  });

  it('raises one AMBER alert when three concerns from two agencies land within 30 days, explaining itself', async () => {
    const { createFamily } = await app.gqlData<{ createFamily: { id: string } }>({
      query: `mutation { createFamily(input: { reference: "NS-2026-0300" }) { id } }`,
      token: as['sam.social'].accessToken,
    });
    const familyId = createFamily.id;
    for (const who of ['dee.school', 'hal.health'] as const) {
      await app.gqlData({
        query: `mutation ($f: ID!, $u: ID!) { addNetworkMember(familyId: $f, userId: $u) { role } }`,
        variables: { f: familyId, u: as[who].userId },
        token: as['sam.social'].accessToken,
      });
    }
    const sam = await connect('sam.social');
    const ids: string[] = [];
    for (const who of ['dee.school', 'hal.health', 'dee.school'] as const) {
      ids.push((await post(who, { familyId, kind: 'CONCERN', summary: `Concern from ${who}` })).postEvent.id);
    }
    const notified = await sam.next((n) => n.type === 'ALERT_RAISED' && n.familyId === familyId && n.rag === 'AMBER');
    const amber = (await alertsOf('sam.social')).filter(
      (a) => a.family.reference === 'NS-2026-0300' && a.rule.name === 'Multi-agency concerns',
    );
    expect(amber).toHaveLength(1);
    expect(amber[0]!.id).toBe(notified.alertId);
    expect(amber[0]!.explanation).toContain('v1');
    for (const id of ids) expect(amber[0]!.explanation).toContain(id);
    expect(amber[0]!.matchedEvents.map((e) => e.id).sort()).toEqual([...ids].sort());

    await post('hal.health', { familyId, kind: 'INJURY', summary: 'A fourth concern' });
    const again = (await alertsOf('sam.social')).filter(
      (a) => a.family.reference === 'NS-2026-0300' && a.rule.name === 'Multi-agency concerns',
    );
    expect(again).toHaveLength(1);
  });

  it('sends a removed member nothing decided after the removal, and replays nothing about that family', async () => {
    const walsh = families['NS-2026-0142']!;
    const hal = await connect('hal.health');
    await post('dee.school', { familyId: walsh, kind: 'NOTE', severity: 'INFO', summary: 'Before the removal' });
    await hal.next((n) => n.type === 'EVENT_POSTED' && n.familyId === walsh);
    await app.gqlData({
      query: `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`,
      variables: { f: walsh, u: as['hal.health'].userId },
      token: as['sam.social'].accessToken,
    });
    const before = hal.received.length;
    for (let i = 0; i < 3; i++)
      await post('dee.school', { familyId: walsh, kind: 'NOTE', severity: 'INFO', summary: `After the removal ${i}` });
    const dee = await connect('dee.school');
    await post('pat.police', { familyId: walsh, kind: 'NOTE', severity: 'INFO', summary: 'Marker' });
    await dee.next((n) => n.type === 'EVENT_POSTED' && n.familyId === walsh && n.seq > 0);
    expect(hal.received.slice(before).filter((n) => n.familyId === walsh)).toEqual([]);

    const replay = await connect('hal.health');
    const ack = (await replay.socket.emitWithAck('resume', { afterSeq: 0 })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    expect(replay.received.filter((n) => n.familyId === walsh)).toEqual([]);
    expect(
      errorCode(
        await app.gql({
          query: `query ($id: ID!) { family(id: $id) { id } }`,
          variables: { id: walsh },
          token: as['hal.health'].accessToken,
        }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('gives a client that was away everything it missed, once, in order', async () => {
    const brooks = families['NS-2026-0163']!;
    const first = await connect('dee.school');
    await first.socket.emitWithAck('resume', { afterSeq: 0 });
    first.close();
    // What the client saw before it went away: the delivery sweep may still have been sending
    // older notifications after the resume's answer, so this is read once it is closed.
    const lastSeen = Math.max(0, ...first.received.map((n) => n.seq));
    // The lead is connected throughout: each post rings its recipients together once it has
    // committed, after its answer, so the lead hearing of every post means none of those pushes is
    // still on its way to dee's room (one arriving as she comes back would be a push overlapping
    // her resume, which a client drops by its seq: not what this test is about).
    const lead = await connect('sam.social');
    const posted: string[] = [];
    for (let i = 0; i < 50; i++)
      posted.push(
        (await post('pat.police', { familyId: brooks, kind: 'NOTE', severity: 'INFO', summary: `Note ${i}` })).postEvent
          .id,
      );
    for (const id of posted) await lead.next((n) => n.eventId === id, 10_000);

    const back = await connect('dee.school');
    const ack = (await back.socket.emitWithAck('resume', { afterSeq: lastSeen })) as { ok: boolean; replayed: number };
    expect(ack.ok).toBe(true);
    const missed = back.received.filter((n) => n.seq > lastSeen && n.type === 'EVENT_POSTED' && n.familyId === brooks);
    // Every event posted while it was away, in order; anything before them is older news that had
    // not reached the first socket when it closed (told now, once), never one of them again.
    expect(missed.map((n) => n.eventId).slice(-posted.length)).toEqual(posted);
    expect(missed.slice(0, -posted.length).filter((n) => posted.includes(n.eventId!))).toEqual([]);
    const seqs = back.received.map((n) => n.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('escalates an unacknowledged RED alert to the manager once, even with two workers', async () => {
    const hassan = families['NS-2026-0157']!;
    const amira = await personId('sam.social', hassan, 'Amira');
    const mia = await connect('mia.manager');
    await post('hal.health', {
      familyId: hassan,
      kind: 'UNSCHEDULED_CARE_ATTENDANCE',
      severity: 'HIGH',
      summary: 'A&E attendance, head bump',
      subjectIds: [amira],
    });
    const red = (await alertsOf('sam.social')).find((a) => a.rule.name.startsWith('Unscheduled care'))!;
    expect(red).toMatchObject({ rag: 'RED', status: 'OPEN' });

    const scheduler = app.hearth.app.get(AlertScheduler);
    const later = new Date(Date.now() + 3 * 3_600_000);
    expect(await scheduler.escalateDue(later)).toBe(0); // not yet due after 3 hours
    const inFiveHours = new Date(Date.now() + 5 * 3_600_000);
    const [a, b] = await Promise.all([scheduler.escalateDue(inFiveHours), scheduler.escalateDue(inFiveHours)]);
    expect(a + b).toBeGreaterThanOrEqual(1);
    const escalatedForMia = await mia.next((n) => n.type === 'ALERT_RAISED' && n.alertId === red.id);
    expect(escalatedForMia.rag).toBe('RED');
    expect(mia.received.filter((n) => n.alertId === red.id && n.type === 'ALERT_RAISED')).toHaveLength(1);
    const seenByMia = (await alertsOf('mia.manager')).find((x) => x.id === red.id)!;
    expect(seenByMia.status).toBe('ESCALATED');
    expect(await scheduler.escalateDue(inFiveHours)).toBe(0);

    const acknowledged = await app.gqlData<{ acknowledgeAlert: { status: string } }>({
      query: `mutation ($id: ID!) { acknowledgeAlert(id: $id) { status } }`,
      variables: { id: red.id },
      token: as['sam.social'].accessToken,
    });
    expect(acknowledged.acknowledgeAlert.status).toBe('ACKNOWLEDGED');
    const resolved = await app.gqlData<{ resolveAlert: { status: string } }>({
      query: `mutation ($id: ID!) { resolveAlert(id: $id, note: "Seen by the GP; accidental") { status } }`,
      variables: { id: red.id },
      token: as['sam.social'].accessToken,
    });
    expect(resolved.resolveAlert.status).toBe('RESOLVED');
    expect(
      errorCode(
        await app.gql({
          query: `mutation ($id: ID!) { acknowledgeAlert(id: $id) { status } }`,
          variables: { id: red.id },
          token: as['dee.school'].accessToken,
        }),
      ),
    ).toBe('NOT_FOUND');
  });

  it('lets a partnership admin version, disable and enable rules; nobody else', async () => {
    const { rules } = await app.gqlData<{
      rules: { id: string; name: string; version: number; enabled: boolean; definition: string }[];
    }>({
      query: `{ rules { id name version enabled definition } }`,
      token: as['pam.partner'].accessToken,
    });
    expect(rules).toHaveLength(7);
    expect(rules.every((r) => r.enabled)).toBe(true);
    const repeat = rules.find((r) => r.name === 'Repeat incidents')!;
    const changed = { ...(JSON.parse(repeat.definition) as Record<string, unknown>), minCount: 4 };
    const upserted = await app.gqlData<{ upsertRule: { version: number; definition: string } }>({
      query: `mutation ($input: RuleInput!) { upsertRule(input: $input) { version definition } }`,
      variables: { input: { id: repeat.id, name: repeat.name, definition: JSON.stringify(changed) } },
      token: as['pam.partner'].accessToken,
    });
    expect(upserted.upsertRule.version).toBe(2);
    const bad = await app.gql({
      query: `mutation ($input: RuleInput!) { upsertRule(input: $input) { version } }`,
      variables: { input: { name: 'Broken', definition: '{"kind":"THRESHOLD","minCount":-1}' } },
      token: as['pam.partner'].accessToken,
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('definition');
    const off = await app.gqlData<{ setRuleEnabled: { enabled: boolean } }>({
      query: `mutation ($id: ID!) { setRuleEnabled(id: $id, enabled: false) { enabled } }`,
      variables: { id: repeat.id },
      token: as['pam.partner'].accessToken,
    });
    expect(off.setRuleEnabled.enabled).toBe(false);
    for (const who of ['sam.social', 'ada.admin', 'aud.auditor'] as const) {
      expect(errorCode(await app.gql({ query: `{ rules { id } }`, token: as[who].accessToken }))).toBe('FORBIDDEN');
    }
  });

  it('cuts the sockets of a disabled account at once', async () => {
    await app.gqlData({
      query: `mutation { createUser(input: { email: "temp.officer@demo.hearth", displayName: "Temp Officer", roles: [PRACTITIONER], password: "a-long-initial-password" }) { id } }`,
      token: as['ada.admin'].accessToken,
    });
    const temp = await login(app.url, 'temp.officer@demo.hearth', 'a-long-initial-password');
    const socket = await connectSocket(app.url, temp.accessToken);
    sockets.push(socket);
    const disconnected = new Promise<void>((resolve) => socket.socket.once('disconnect', () => resolve()));
    await app.gqlData({
      query: `mutation ($u: ID!) { disableUser(userId: $u) { status } }`,
      variables: { u: temp.userId },
      token: as['ada.admin'].accessToken,
    });
    await disconnected;
    expect(await refusedHandshake(app.url, temp.accessToken)).toBe('unauthorized');
  });
});

describe('several nodes on one database', () => {
  const adapters: ('postgres' | 'redis')[] = readTestSettings().redisUrl ? ['postgres', 'redis'] : ['postgres'];
  if (!readTestSettings().redisUrl) {
    it('has no Redis to try: REDIS_URL is not set, so only the PostgreSQL adapter runs here', () => {
      process.stdout.write(
        'REDIS_URL is not set: the Redis adapter case did not run (the PostgreSQL adapter case did)\n',
      );
      expect(readTestSettings().redisUrl).toBeUndefined();
    });
  }

  it.each(adapters)('delivers an alert raised through node B to a client on node A (%s adapter)', async (adapter) => {
    const env = {
      HEARTH_SOCKET_ADAPTER: adapter,
      ...(adapter === 'redis' ? { REDIS_URL: readTestSettings().redisUrl! } : {}),
    };
    const a = await startTestApp(env);
    const b = await startTestApp(env, { shareDatabaseOf: a });
    const socketsToClose: TestSocket[] = [];
    try {
      const gatewayA = a.hearth.app.get(RealtimeGateway);
      const gatewayB = b.hearth.app.get(RealtimeGateway);
      // Both nodes see each other before the test starts.
      await eventually(
        async () =>
          (
            await Promise.all([
              gatewayA.server!.of('/').adapter.serverCount(),
              gatewayB.server!.of('/').adapter.serverCount(),
            ])
          ).every((n) => n >= 2),
        { what: 'both nodes seeing each other', intervalMs: 100 },
      );
      const { sessions, families } = await demoWorld(a);
      const dee = await connectSocket(a.url, sessions['dee.school'].accessToken);
      socketsToClose.push(dee);
      const brooks = families['NS-2026-0163']!;
      const { family } = await b.gqlData<{ family: { people: { id: string; givenName: string }[] } }>({
        query: `query ($id: ID!) { family(id: $id) { people { id givenName } } }`,
        variables: { id: brooks },
        token: sessions['pat.police'].accessToken,
      });
      const tyler = family.people.find((p) => p.givenName === 'Tyler')!.id;
      await b.gqlData({
        query: POST,
        variables: {
          input: {
            familyId: brooks,
            kind: 'DOMESTIC_ABUSE_INCIDENT',
            severity: 'HIGH',
            occurredAt: new Date().toISOString(),
            summary: 'Through node B',
            subjectIds: [tyler],
          },
        },
        token: sessions['pat.police'].accessToken,
      });
      const alert = await dee.next((n) => n.type === 'ALERT_RAISED' && n.rag === 'RED', 3000);
      expect(alert.familyId).toBe(brooks);
    } finally {
      for (const socket of socketsToClose) socket.close();
      await b.close();
      await a.close();
    }
  });
});
