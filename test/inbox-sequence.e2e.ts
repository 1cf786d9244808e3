import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectSocket, eventually, type TestSocket } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Concurrent posts to one network: each recipient's inbox is numbered 1, 2, 3… in commit order,
 * with no number lost or given twice, even when one transaction tells the same person twice (an
 * event and the alert it raised). Live pushes bring each number once, and `resume` replays exactly
 * what is stored.
 */
const MEMBERS = ['sam.social', 'pat.police', 'dee.school', 'hal.health'] as const;
const POSTS_EACH = 5;
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

describe('the inbox under concurrent posts', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let familyId: string;
  let childId: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    app = await startTestApp({ HEARTH_RUN_WORKER: 'false' });
    const world = await demoWorld(app);
    as = world.sessions;
    familyId = world.families['NS-2026-0142']!;
    const { rows } = await query<{ person_id: string }>(
      app,
      `SELECT person_id FROM family_memberships WHERE family_id = $1 AND role = 'CHILD' LIMIT 1`,
      [familyId],
    );
    childId = rows[0]!.person_id;
  }, 180_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app?.close();
  });

  async function stored(
    userId: string,
    after: number,
  ): Promise<{ seq: number; type: string; event_id: string | null }[]> {
    const { rows } = await query<{ seq: number; type: string; event_id: string | null }>(
      app,
      `SELECT seq::int AS seq, type, event_id FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq`,
      [userId, after],
    );
    return rows;
  }

  it('numbers every recipient’s notifications without a gap or a repeat, live and on resume', async () => {
    const before = new Map<string, number>();
    for (const who of MEMBERS) {
      const { rows } = await query<{ last: number }>(
        app,
        `SELECT COALESCE(max(seq), 0)::int AS last FROM notifications WHERE user_id = $1`,
        [as[who].userId],
      );
      before.set(who, rows[0]!.last);
    }
    const live = new Map<string, TestSocket>();
    for (const who of MEMBERS) {
      const socket = await connectSocket(app.url, as[who].accessToken);
      sockets.push(socket);
      live.set(who, socket);
    }

    // Every member posts at once; the police's reports of domestic abuse about a child also raise
    // an alert for the school in the same transaction as the event's notification.
    const posted = await Promise.all(
      MEMBERS.flatMap((who) =>
        Array.from({ length: POSTS_EACH }, (_, i) =>
          app
            .gqlData<{ postEvent: { id: string } }>({
              query: POST,
              variables: {
                input: {
                  familyId,
                  kind: who === 'pat.police' ? 'DOMESTIC_ABUSE_INCIDENT' : 'NOTE',
                  severity: 'MEDIUM',
                  occurredAt: new Date().toISOString(),
                  summary: `${who} ${i}`,
                  ...(who === 'pat.police' ? { subjectIds: [childId] } : {}),
                },
              },
              token: as[who].accessToken,
            })
            .then(({ postEvent }) => ({ who, id: postEvent.id })),
        ),
      ),
    );

    for (const who of MEMBERS) {
      const after = before.get(who)!;
      const rows = await stored(as[who].userId, after);
      // One per event posted by someone else, plus any alert addressed to them.
      const others = posted.filter((p) => p.who !== who).map((p) => p.id);
      expect(
        rows
          .filter((r) => r.type === 'EVENT_POSTED')
          .map((r) => r.event_id)
          .sort(),
      ).toEqual(others.sort());
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => after + i + 1));
      if (who === 'dee.school')
        expect(rows.filter((r) => r.type === 'ALERT_RAISED').length).toBeGreaterThanOrEqual(POSTS_EACH);

      // Live: each stored number arrives, once.
      const socket = live.get(who)!;
      await eventually(() => Promise.resolve(socket.received.filter((n) => n.seq > after).length >= rows.length), {
        what: `${who}'s pushes`,
        timeoutMs: 30_000,
      });
      const pushed = socket.received.filter((n) => n.seq > after).map((n) => n.seq);
      expect(new Set(pushed).size).toBe(pushed.length);
      expect([...pushed].sort((x, y) => x - y)).toEqual(rows.map((r) => r.seq));

      // Resume from before the burst replays exactly the stored numbers, in order.
      const again = await connectSocket(app.url, as[who].accessToken);
      sockets.push(again);
      const ack = (await again.socket.emitWithAck('resume', { afterSeq: after })) as { ok: boolean; replayed: number };
      expect(ack).toEqual({ ok: true, replayed: rows.length });
      expect(again.received.map((n) => n.seq)).toEqual(rows.map((r) => r.seq));
    }
  }, 180_000);
});
