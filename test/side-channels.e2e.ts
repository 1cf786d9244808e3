import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  connectSocket,
  errorCode,
  refusedHandshake,
  type ReceivedNotification,
  type TestSocket,
} from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import { login, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { actions, arrivesOrCut, base64url } from './support/world.js';

/*
 * Side channels (SECURITY.md, Access control 5, 9, 11; Audit): each attack a hostile insider
 * tried against the demo partnership, as they did it, over real HTTP and real sockets. The
 * direct read path holds; these check every other way the same facts could leak.
 */

const ENTRIES = `query ($filter: AuditFilter, $after: String) {
  auditEntries(filter: $filter, first: 40, after: $after) {
    edges { node { id action outcome actorId familyId personId subjectType subjectId reason detail } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Entry {
  id: string;
  action: string;
  outcome: string;
  actorId: string | null;
  familyId: string | null;
  personId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  reason: string | null;
  detail: string | null;
}

describe('nothing leaks through a side channel', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  let act: ReturnType<typeof actions>;
  const sockets: TestSocket[] = [];

  const connect = async (session: Session) => {
    const socket = await connectSocket(app.url, session.accessToken);
    sockets.push(socket);
    return socket;
  };
  const entries = async (filter: Record<string, unknown>): Promise<Entry[]> => {
    const all: Entry[] = [];
    let after: string | null = null;
    for (;;) {
      const page: {
        auditEntries: { edges: { node: Entry }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
      } = await act.data(as['aud.auditor'], ENTRIES, { filter, after });
      all.push(...page.auditEntries.edges.map((e) => e.node));
      if (!page.auditEntries.pageInfo.hasNextPage) return all;
      after = page.auditEntries.pageInfo.endCursor;
    }
  };
  /** A note in the demo family NS-2026-0142, where pat, dee and hal are members: a sentinel doorbell. */
  const sentinel = (author: DemoUser = 'pat.police') =>
    act.post(as[author], families['NS-2026-0142']!, { summary: 'Sentinel note' });
  const isEvent = (eventId: string) => (n: ReceivedNotification) => n.type === 'EVENT_POSTED' && n.eventId === eventId;

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as, families } = await demoWorld(app));
    act = actions(app);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app.close();
  });

  describe('every doorbell has an audience', () => {
    it('rings REPLY_POSTED for a reply to a police AGENCY-only event at another police member, never at the school', async () => {
      const pete = await act.newUser(as['ada.admin'], ['PRACTITIONER'], undefined, 'Pete Police');
      const familyId = await act.newFamily(as['sam.social'], [as['pat.police'], as['dee.school'], pete]);
      const dee = await connect(as['dee.school']);
      const peteSocket = await connect(pete);

      const eventId = await act.post(as['pat.police'], familyId, {
        kind: 'INCIDENT',
        summary: 'Intelligence for police only',
        visibility: 'AGENCY',
      });
      // Existence is visible to the whole network: the school hears that an event was posted.
      await dee.next(isEvent(eventId), 10_000);
      await act.reply(as['pat.police'], eventId, 'Police-only discussion');
      const rung = await peteSocket.next((n) => n.type === 'REPLY_POSTED' && n.eventId === eventId, 10_000);
      expect(rung.familyId).toBe(familyId);

      const marker = await sentinel();
      await dee.next(isEvent(marker), 10_000);
      const about = (list: ReceivedNotification[]) =>
        list.filter((n) => n.type === 'REPLY_POSTED' && n.eventId === eventId);
      expect(about(dee.received)).toEqual([]);
      expect(about(await act.inbox(pete))).toHaveLength(1);
      expect(about(await act.inbox(as['dee.school']))).toEqual([]);
      const replay = await connect(as['dee.school']);
      expect(about(await act.resume(replay))).toEqual([]);
    });

    it('rings ACCESS_GRANTED for break-glass at the lead and the auditors, never at other network members', async () => {
      const familyId = await act.newFamily(as['sam.social'], [as['dee.school']]);
      const sam = await connect(as['sam.social']);
      const dee = await connect(as['dee.school']);
      await act.data(
        as['hal.health'],
        `mutation ($f: ID!, $r: String!) { requestBreakGlass(familyId: $f, reason: $r) { id } }`,
        {
          f: familyId,
          r: 'Child brought to A&E unconscious tonight',
        },
      );
      await sam.next((n) => n.type === 'ACCESS_GRANTED' && n.familyId === familyId, 10_000);
      const marker = await act.post(as['sam.social'], familyId, { summary: 'After the break-glass' });
      await dee.next(isEvent(marker), 10_000);
      expect(dee.received.filter((n) => n.type === 'ACCESS_GRANTED')).toEqual([]);
    });
  });

  describe('stale recipients', () => {
    /** A family with a baby, sam leading, dee and hal members, and a RED alert raised to all three. */
    const familyWithAlert = async (membership: (familyId: string) => Promise<void>) => {
      const familyId = await act.newFamily(as['sam.social'], [as['hal.health']]);
      await membership(familyId);
      const baby = await act.addBaby(as['sam.social'], familyId);
      const sam = await connect(as['sam.social']);
      const dee = await connect(as['dee.school']);
      await act.post(as['hal.health'], familyId, {
        kind: 'INJURY',
        severity: 'HIGH',
        summary: 'Bruise on the cheek of a baby',
        subjectIds: [baby],
      });
      const raised = await sam.next((n) => n.type === 'ALERT_RAISED' && n.familyId === familyId, 10_000);
      // dee was a recipient when it was raised.
      await dee.next((n) => n.type === 'ALERT_RAISED' && n.alertId === raised.alertId, 10_000);
      return { familyId, alertId: raised.alertId!, dee };
    };

    /** After `change` takes dee out, sam acknowledges: hal hears it, dee on no channel. */
    const acknowledgedWithoutDee = async (
      { familyId, alertId, dee }: { familyId: string; alertId: string; dee: TestSocket },
      change: () => Promise<void>,
    ) => {
      await change();
      expect(await act.familyCode(as['dee.school'], familyId)).toBe('NOT_FOUND');
      const hal = await connect(as['hal.health']);
      await act.data(as['sam.social'], `mutation ($id: ID!) { acknowledgeAlert(id: $id) { status } }`, { id: alertId });
      await hal.next((n) => n.type === 'ALERT_UPDATED' && n.alertId === alertId, 10_000);

      const marker = await sentinel('hal.health');
      await dee.next(isEvent(marker), 10_000);
      const about = (list: ReceivedNotification[]) =>
        list.filter((n) => n.type === 'ALERT_UPDATED' && n.alertId === alertId);
      expect(about(dee.received)).toEqual([]);
      expect(about(await act.inbox(as['dee.school']))).toEqual([]);
      const replay = await connect(as['dee.school']);
      expect(about(await act.resume(replay))).toEqual([]);
    };

    it('sends a member removed after an alert was raised no ALERT_UPDATED: not live, not in the inbox, not on resume', async () => {
      const raised = await familyWithAlert(async (f) => {
        await act.addMember(as['sam.social'], f, as['dee.school']);
      });
      await acknowledgedWithoutDee(raised, () => act.removeMember(as['sam.social'], raised.familyId, as['dee.school']));
    });

    it('sends a member whose time-boxed membership expired after an alert was raised no ALERT_UPDATED', async () => {
      const raised = await familyWithAlert(async (f) => {
        const added = await act.addMember(as['sam.social'], f, as['dee.school'], new Date(Date.now() + 86_400_000));
        expect(added.errors).toBeUndefined();
      });
      await acknowledgedWithoutDee(raised, async () => {
        // The day has passed.
        await query(
          app,
          `UPDATE network_members SET expires_at = now() - interval '1 second' WHERE family_id = $1 AND user_id = $2`,
          [raised.familyId, as['dee.school'].userId],
        );
      });
    });
  });

  describe('a change of roles or status reaches the sockets', () => {
    it('stops EVENT_POSTED on the old and on a new socket once a practitioner becomes an agency admin', async () => {
      const rita = await act.newUser(as['ada.admin'], ['PRACTITIONER'], undefined, 'Rita Roles');
      const familyId = await act.newFamily(as['sam.social'], [rita, as['dee.school']]);
      const oldSocket = await connect(rita);
      const before = await act.post(as['sam.social'], familyId, { summary: 'While a practitioner' });
      await oldSocket.next(isEvent(before), 10_000);

      const setRoles = (roles: string[]) =>
        act.data(as['ada.admin'], `mutation ($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id } }`, {
          u: rita.userId,
          r: roles,
        });
      await setRoles(['AGENCY_ADMIN']);
      // A fresh session too: whatever the old token still carries, the database says she is an admin now.
      const ritaNow = await login(app.url, rita.email, rita.password);
      expect(await act.familyCode(ritaNow, familyId)).toBe('NOT_FOUND');
      const newSocket = await connect(ritaNow);
      const dee = await connect(as['dee.school']);
      const during = await act.post(as['sam.social'], familyId, { summary: 'While an agency admin' });
      await dee.next(isEvent(during), 10_000);

      // Practitioner again: the next event rings (or the sockets were cut), the one before never did.
      await setRoles(['PRACTITIONER']);
      const after = await act.post(as['sam.social'], familyId, { summary: 'A practitioner again' });
      for (const socket of [oldSocket, newSocket]) {
        await arrivesOrCut(socket, isEvent(after));
        expect(socket.received.filter(isEvent(during))).toEqual([]);
      }
      const again = await login(app.url, rita.email, rita.password);
      expect(await act.familyCode(again, familyId)).toBe('OK');
      expect((await act.inbox(again)).filter(isEvent(during))).toEqual([]);
      expect((await act.resume(await connect(again))).filter(isEvent(during))).toEqual([]);
    });

    it('cuts a disabled practitioner’s sockets and decides nothing for her afterwards', async () => {
      const dora = await act.newUser(as['ada.admin'], ['PRACTITIONER'], undefined, 'Dora Disabled');
      const familyId = await act.newFamily(as['sam.social'], [dora, as['dee.school']]);
      const socket = await connect(dora);
      const before = await act.post(as['sam.social'], familyId, { summary: 'Before disabling' });
      await socket.next(isEvent(before), 10_000);
      const cut = new Promise<void>((resolve) => socket.socket.once('disconnect', () => resolve()));
      await act.data(as['ada.admin'], `mutation ($u: ID!) { disableUser(userId: $u) { status } }`, { u: dora.userId });
      await cut;
      expect(await refusedHandshake(app.url, dora.accessToken)).toBe('unauthorized');

      const dee = await connect(as['dee.school']);
      const after = await act.post(as['sam.social'], familyId, { summary: 'After disabling' });
      await dee.next(isEvent(after), 10_000);
      const { rows } = await query<{ user_id: string }>(app, `SELECT user_id FROM notifications WHERE event_id = $1`, [
        after,
      ]);
      expect(rows.map((r) => r.user_id)).toContain(as['dee.school'].userId);
      expect(rows.map((r) => r.user_id)).not.toContain(dora.userId);
    });
  });

  describe('break-glass has teeth', () => {
    const breakGlass = (who: Session, familyId: string, reason: string) =>
      act.call(who, `mutation ($f: ID!, $r: String!) { requestBreakGlass(familyId: $f, reason: $r) { id } }`, {
        f: familyId,
        r: reason,
      });

    it('revokes a grant reviewed INAPPROPRIATE at once, and tells the lead with ACCESS_REVOKED live and in the inbox', async () => {
      const familyId = await act.newFamily(as['sam.social']);
      const granted = await breakGlass(as['hal.health'], familyId, 'Child brought to A&E, need the plan');
      const grantId = (granted.data as { requestBreakGlass: { id: string } }).requestBreakGlass.id;
      expect(await act.familyCode(as['hal.health'], familyId)).toBe('OK');
      const sam = await connect(as['sam.social']);

      await act.data(
        as['aud.auditor'],
        `mutation ($id: ID!) { reviewAccessGrant(id: $id, outcome: INAPPROPRIATE, note: "No urgent need was shown") { reviewOutcome } }`,
        { id: grantId },
      );
      expect(await act.familyCode(as['hal.health'], familyId)).toBe('NOT_FOUND');
      const revoked = await sam.next((n) => n.type === 'ACCESS_REVOKED' && n.familyId === familyId, 10_000);
      expect(revoked.familyId).toBe(familyId);
      expect(
        (await act.inbox(as['sam.social'])).filter((n) => n.type === 'ACCESS_REVOKED' && n.familyId === familyId),
      ).toHaveLength(1);
    });

    it('refuses break-glass on a CLOSED family with NOT_FOUND, as it refuses joining one', async () => {
      const open = await act.newFamily(as['sam.social']);
      const closed = await act.newFamily(as['sam.social']);
      await query(app, `UPDATE families SET status = 'CLOSED' WHERE id = $1`, [closed]);
      const reason = 'Child brought to A&E, need the plan';
      expect(errorCode(await breakGlass(as['hal.health'], open, reason))).toBeUndefined();
      const join = await act.call(
        as['dee.school'],
        `mutation ($f: ID!) { requestToJoin(familyId: $f, reason: "I teach the eldest child") { id } }`,
        {
          f: closed,
        },
      );
      expect(errorCode(join)).toBe('NOT_FOUND');
      const refused = await breakGlass(as['hal.health'], closed, reason);
      expect(errorCode(refused)).toBe('NOT_FOUND');
      expect(refused.errors?.[0]?.message).toBe(join.errors?.[0]?.message);
      const { rows } = await query(app, `SELECT 1 FROM access_grants WHERE family_id = $1`, [closed]);
      expect(rows).toEqual([]);
    });

    it('refuses a break-glass reason shorter than a sentence with BAD_USER_INPUT', async () => {
      const familyId = await act.newFamily(as['sam.social']);
      const short = await breakGlass(as['hal.health'], familyId, 'urgent');
      expect(errorCode(short)).toBe('BAD_USER_INPUT');
      expect(short.errors?.[0]?.extensions?.field).toBe('reason');
      expect(await act.familyCode(as['hal.health'], familyId)).toBe('NOT_FOUND');
      expect(
        errorCode(await breakGlass(as['hal.health'], familyId, 'Child in A&E now, I need the plan')),
      ).toBeUndefined();
      expect(await act.familyCode(as['hal.health'], familyId)).toBe('OK');
    });
  });

  it('keeps an amendment’s reason out of the audit trail and its CSV export, while recording the amendment', async () => {
    const secret = `AMEND-REASON-${randomUUID().slice(0, 8)}`;
    const familyId = await act.newFamily(as['sam.social']);
    const original = await act.post(as['sam.social'], familyId, { summary: 'Home visit' });
    const { amendEvent } = await act.data<{ amendEvent: { id: string; amendmentReason: string } }>(
      as['sam.social'],
      `mutation ($e: ID!, $r: String!) { amendEvent(eventId: $e, input: { summary: "Home visit, corrected", reason: $r }) { id amendmentReason } }`,
      { e: original, r: `Mother disclosed ${secret}` },
    );
    expect(amendEvent.amendmentReason).toContain(secret);

    const trail = await entries({ familyId });
    expect(trail.find((e) => e.subjectId === amendEvent.id)).toMatchObject({ actorId: as['sam.social'].userId });
    expect(JSON.stringify(trail)).not.toContain(secret);
    const csv = await fetch(`${app.url}/audit/export.csv?familyId=${familyId}`, {
      headers: { authorization: `Bearer ${as['aud.auditor'].accessToken}` },
    });
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text).toContain(amendEvent.id);
    expect(text).not.toContain(secret);
  });

  it('records a DENIED entry when someone asks for a family they may not see, and answers as for no family at all', async () => {
    const familyId = await act.newFamily(as['sam.social']);
    const probe = await act.call(as['dee.school'], `query ($id: ID!) { family(id: $id) { id reference } }`, {
      id: familyId,
    });
    const missing = await act.call(as['dee.school'], `query ($id: ID!) { family(id: $id) { id reference } }`, {
      id: randomUUID(),
    });
    expect(errorCode(probe)).toBe('NOT_FOUND');
    expect({ ...probe, errors: probe.errors?.map((e) => ({ ...e, path: undefined })) }).toEqual({
      ...missing,
      errors: missing.errors?.map((e) => ({ ...e, path: undefined })),
    });

    const denied = await entries({ familyId, outcome: 'DENIED' });
    expect(denied).toEqual([
      expect.objectContaining({ actorId: as['dee.school'].userId, familyId, outcome: 'DENIED' }),
    ]);
  });

  it('makes a sensitive member unidentifiable to other agencies on every path, and known to her own', async () => {
    const refuge = await act.newAgency(as['pam.partner'], 'VOLUNTARY');
    const vee = await act.newUser(as['pam.partner'], ['PRACTITIONER'], refuge, 'Vee Refuge');
    const colleague = await act.newUser(as['pam.partner'], ['PRACTITIONER'], refuge, 'Col Refuge');
    const first = await act.newFamily(as['sam.social'], [vee, colleague, as['pat.police']]);
    const second = await act.newFamily(as['sam.social'], [vee, as['pat.police']]);
    for (const familyId of [first, second]) {
      await act.data(
        vee,
        `mutation ($f: ID!) { setMyRoleSensitive(familyId: $f, sensitive: true, contactRoute: "Through the lead social worker") { role } }`,
        { f: familyId },
      );
    }
    await act.data(as['sam.social'], `mutation ($f: ID!, $u: ID!) { transferLead(familyId: $f, userId: $u) { id } }`, {
      f: second,
      u: vee.userId,
    });
    const posted = await act.post(vee, first, { summary: 'Mother is safe at the refuge' });

    const CARD = 'userId displayName phone email jobTitle contactRoute agency { id name }';
    const view = async (viewer: Session, familyId: string) =>
      act.data<{
        family: { lead: Card; members: { user: Card }[] };
        timeline: { edges: { node: { id: string; agency: { id: string } | null; author: Card } }[] };
      }>(
        viewer,
        `query ($f: ID!) { family(id: $f) { lead { ${CARD} } members { user { ${CARD} } } }
           timeline(familyId: $f, first: 50) { edges { node { id agency { id } author { ${CARD} } } } } }`,
        { f: familyId },
      );
    type Card = {
      userId: string;
      displayName: string;
      phone: string | null;
      email: string | null;
      contactRoute: string | null;
      agency: unknown;
    };

    // Her own agency sees her as she is.
    const own = await view(colleague, first);
    const ownEvent = own.timeline.edges.find((e) => e.node.id === posted)!.node;
    expect(ownEvent.agency).toEqual({ id: refuge });
    expect(ownEvent.author).toMatchObject({ userId: vee.userId, displayName: 'Vee Refuge' });

    // The police see "a practitioner", with a way to reach her and nothing that links her.
    const masked = (card: Card) => {
      expect(card).toMatchObject({ displayName: 'A practitioner', phone: null, email: null, agency: null });
      expect(card.contactRoute).toBeTruthy();
      expect(card.userId).not.toBe(vee.userId);
    };
    const inFirst = await view(as['pat.police'], first);
    const event = inFirst.timeline.edges.find((e) => e.node.id === posted)!.node;
    expect(event.agency).toBeNull();
    masked(event.author);
    const memberCards = inFirst.family.members.map((m) => m.user).filter((c) => c.displayName === 'A practitioner');
    expect(memberCards).toHaveLength(1);
    masked(memberCards[0]!);
    expect(event.author.userId).toBe(memberCards[0]!.userId);

    const inSecond = await view(as['pat.police'], second);
    masked(inSecond.family.lead);
    expect(inSecond.family.lead.userId).not.toBe(memberCards[0]!.userId);
    const everything = JSON.stringify([inFirst, inSecond]);
    expect(everything).not.toContain(vee.userId);
    expect(everything).not.toContain('Vee Refuge');
  });

  describe('inbox gaps', () => {
    it('gives auditors ACCESS_GRANTED live, in notifications and on resume', async () => {
      const familyId = await act.newFamily(as['sam.social']);
      const auditor = await connect(as['aud.auditor']);
      await act.data(
        as['hal.health'],
        `mutation ($f: ID!, $r: String!) { requestBreakGlass(familyId: $f, reason: $r) { id } }`,
        {
          f: familyId,
          r: 'Child brought to A&E unconscious tonight',
        },
      );
      await auditor.next((n) => n.type === 'ACCESS_GRANTED' && n.familyId === familyId, 10_000);
      const about = (list: ReceivedNotification[]) =>
        list.filter((n) => n.type === 'ACCESS_GRANTED' && n.familyId === familyId);
      expect(about(await act.inbox(as['aud.auditor']))).toHaveLength(1);
      expect(about(await act.resume(await connect(as['aud.auditor'])))).toHaveLength(1);
    });

    it('renews an expired member with addNetworkMember and restores her access', async () => {
      const familyId = await act.newFamily(as['sam.social']);
      await act.addMember(as['sam.social'], familyId, as['dee.school'], new Date(Date.now() + 86_400_000));
      expect(await act.familyCode(as['dee.school'], familyId)).toBe('OK');
      await query(
        app,
        `UPDATE network_members SET expires_at = now() - interval '1 second' WHERE family_id = $1 AND user_id = $2`,
        [familyId, as['dee.school'].userId],
      );
      expect(await act.familyCode(as['dee.school'], familyId)).toBe('NOT_FOUND');
      const renewed = await act.addMember(
        as['sam.social'],
        familyId,
        as['dee.school'],
        new Date(Date.now() + 86_400_000),
      );
      expect(renewed.errors).toBeUndefined();
      expect(await act.familyCode(as['dee.school'], familyId)).toBe('OK');
    });

    it('restores access when the lead approves a join request from an expired member', async () => {
      const familyId = await act.newFamily(as['sam.social']);
      await act.addMember(as['sam.social'], familyId, as['dee.school'], new Date(Date.now() + 86_400_000));
      await query(
        app,
        `UPDATE network_members SET expires_at = now() - interval '1 second' WHERE family_id = $1 AND user_id = $2`,
        [familyId, as['dee.school'].userId],
      );
      expect(await act.familyCode(as['dee.school'], familyId)).toBe('NOT_FOUND');
      const { requestToJoin } = await act.data<{ requestToJoin: { id: string } }>(
        as['dee.school'],
        `mutation ($f: ID!) { requestToJoin(familyId: $f, reason: "Still teaching the eldest child") { id } }`,
        { f: familyId },
      );
      const { decideJoinRequest } = await act.data<{ decideJoinRequest: { status: string } }>(
        as['sam.social'],
        `mutation ($id: ID!) { decideJoinRequest(id: $id, approve: true) { status } }`,
        { id: requestToJoin.id },
      );
      expect(decideJoinRequest.status).toBe('APPROVED');
      expect(await act.familyCode(as['dee.school'], familyId)).toBe('OK');
    });
  });

  describe('small ones', () => {
    const GARBAGE = [
      base64url('["not-a-date","x"]'),
      base64url('["2026-01-01T00:00:00.000Z","not-a-uuid"]'),
      base64url('{"a":1}'),
      base64url('[1,2,3]'),
      'not base64 at all!',
      base64url('\u0000\u0001'),
    ];

    it.each([
      ['timeline', 'sam.social', (f: string) => `timeline(familyId: "${f}", first: 1, after: $after)`],
      ['myFamilies', 'sam.social', () => `myFamilies(first: 1, after: $after)`],
      ['alerts', 'sam.social', () => `alerts(first: 1, after: $after)`],
      ['accessGrants', 'aud.auditor', () => `accessGrants(first: 1, after: $after)`],
      ['users', 'ada.admin', () => `users(first: 1, after: $after)`],
      ['auditEntries', 'aud.auditor', () => `auditEntries(first: 1, after: $after)`],
    ] as const)('answers a hand-made cursor on %s with BAD_USER_INPUT', async (_name, who, field) => {
      const familyId = families['NS-2026-0142']!;
      // Grants exist to page through.
      await act.call(
        as['hal.health'],
        `mutation ($f: ID!) { requestBreakGlass(familyId: $f, reason: "Child brought to A&E tonight") { id } }`,
        {
          f: families['NS-2026-0163']!,
        },
      );
      const operation = `query ($after: String) { ${field(familyId)} { pageInfo { endCursor hasNextPage } } }`;
      const first = await act.data<Record<string, { pageInfo: { endCursor: string | null; hasNextPage: boolean } }>>(
        as[who],
        operation,
        { after: null },
      );
      const page = Object.values(first)[0]!.pageInfo;
      if (page.endCursor) {
        // A real cursor is accepted.
        expect(errorCode(await act.call(as[who], operation, { after: page.endCursor }))).toBeUndefined();
      }
      for (const after of GARBAGE) {
        const res = await act.call(as[who], operation, { after });
        expect([after, errorCode(res)]).toEqual([after, 'BAD_USER_INPUT']);
      }
    });

    it('in production, suggests no enum values and keeps /metrics behind its bearer token', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const token = `metrics-${randomUUID()}`;
      const production = await startTestApp({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        HEARTH_RUN_WORKER: 'false',
        HEARTH_JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        HEARTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        HEARTH_METRICS_TOKEN: token,
      });
      try {
        const badEnum = `query { alerts(status: OPN, first: 1) { edges { node { id } } } }`;
        // Outside production the same mistake gets a helpful suggestion.
        const helpful = await act.call(as['sam.social'], badEnum);
        expect(JSON.stringify(helpful.errors)).toContain('Did you mean');
        const pat = await login(production.url, 'pat.police');
        const res = await production.gql({ query: badEnum, token: pat.accessToken });
        expect(res.errors?.length).toBeGreaterThan(0);
        expect(JSON.stringify(res.errors)).not.toMatch(/did you mean/i);
        expect(JSON.stringify(res.errors)).not.toContain('OPEN');

        expect((await fetch(`${production.url}/metrics`)).status).toBe(401);
        expect((await fetch(`${production.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
          401,
        );
        const allowed = await fetch(`${production.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
        expect(allowed.status).toBe(200);
        expect(await allowed.text()).toContain('# HELP');
      } finally {
        await production.close();
      }
    });
  });
});
