import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CLOCK, type Clock } from '@hearth/config';
import { LEASE_MS, OutboxWorker } from '@hearth/notify';
import { InboxService, NotificationType } from '@hearth/realtime';
import { DataSource, type EntityManager } from 'typeorm';
import { connectSocket } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import { startMailbox, startReceiver, type ReceivedMail } from './support/outbound.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Outbound notifications end to end: Hearth in this process with its outbox worker driven tick by
 * tick under a clock the test moves, a real SMTP server and a real HTTP receiver on loopback.
 */
let app: TestApp;
let as: Record<DemoUser, Session>;
let families: Record<string, string>;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;
let worker: OutboxWorker;
let clock: Clock;
let now = new Date();

const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;
const SETTINGS = `mutation ($input: NotificationSettingsInput!) {
  updateMyNotificationSettings(input: $input) { emailFloor quietHoursStart quietHoursEnd digestAt redAlertsAlwaysDelivered } }`;
const SECRET_SUMMARY = 'Mum disclosed that Dad threatened her at 14 Acacia Avenue';
const SECRET_BODY = 'Officers attended; children Lily and Tom were present';

/** Today (UTC) at hh:mm, plus whole days. */
function at(hhmm: string, days = 0): Date {
  const d = new Date();
  const [h, m] = hhmm.split(':').map(Number);
  d.setUTCHours(h!, m, 0, 0);
  return new Date(d.getTime() + days * 86_400_000);
}

async function settings(who: DemoUser, input: Record<string, unknown>): Promise<void> {
  await app.gqlData({ query: SETTINGS, variables: { input }, token: as[who].accessToken });
}

async function children(familyId: string): Promise<string[]> {
  const { rows } = await query<{ id: string }>(
    app,
    `SELECT p.id FROM persons p JOIN family_memberships fm ON fm.person_id = p.id
     WHERE fm.family_id = $1 AND fm.role = 'CHILD'`,
    [familyId],
  );
  return rows.map((r) => r.id);
}

async function post(who: DemoUser, familyId: string, kind: string, subjectIds: string[] = []): Promise<string> {
  const { postEvent } = await app.gqlData<{ postEvent: { id: string } }>({
    query: POST,
    variables: {
      input: {
        familyId,
        kind,
        severity: 'HIGH',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        summary: SECRET_SUMMARY,
        body: SECRET_BODY,
        subjectIds,
      },
    },
    token: as[who].accessToken,
  });
  return postEvent.id;
}

const mailTo = (who: DemoUser): ReceivedMail[] => mailbox.mails.filter((m) => m.to.includes(`${who}@demo.hearth`));

beforeAll(async () => {
  mailbox = await startMailbox();
  app = await startTestApp({
    HEARTH_RUN_WORKER: 'false',
    SMTP_URL: mailbox.url,
    HEARTH_PUBLIC_URL: 'https://hearth.test',
  });
  ({ sessions: as, families } = await demoWorld(app));
  worker = app.hearth.app.get(OutboxWorker);
  clock = app.hearth.app.get<Clock>(CLOCK);
  clock.now = () => now;
  // What the demo seed queued goes first, so each test sees only its own mail. Seeded at night, some
  // of it waits for the end of the default quiet hours (07:00), so it is sent at 07:00 at the
  // earliest: still before the first test's 23:00.
  now = new Date(Math.max(Date.now(), at('07:00').getTime()));
  await worker.tick();
});
afterAll(async () => {
  await app.close();
  await mailbox.close();
});
beforeEach(() => {
  mailbox.mails.length = 0;
});

describe('email', () => {
  it('Operation Encompass: a police incident at 23:00 reaches the offline school DSL by email at once (RED through quiet hours), while the AMBER waits for the morning', async () => {
    const familyId = families['NS-2026-0142']!;
    await settings('dee.school', {
      timeZone: 'UTC',
      quietHoursStart: '22:00',
      quietHoursEnd: '07:00',
      emailFloor: 'AMBER',
    });
    await settings('sam.social', {
      timeZone: 'UTC',
      quietHoursStart: '22:00',
      quietHoursEnd: '07:00',
      emailFloor: 'AMBER',
    });
    now = at('23:00');
    // The family already has two domestic abuse incidents: a third raises AMBER (repeat incidents) to the lead.
    await post('pat.police', familyId, 'DOMESTIC_ABUSE_INCIDENT', await children(familyId));
    await worker.tick();

    // (Her digest of what the demo seeded may go too: her digest time has passed.)
    const [red, ...more] = mailTo('dee.school').filter((m) => !m.headers.get('subject')?.includes('digest'));
    expect(more).toEqual([]);
    expect(red).toBeDefined();
    const mail = red!;
    expect(mail.headers.get('subject')).toBe('Hearth: RED alert for family NS-2026-0142');
    expect(mail.headers.get('list-unsubscribe')).toMatch(/^<https:\/\/hearth\.test\/settings\/notifications>/);
    expect(mail.headers.get('x-hearth-idempotency-key')).toMatch(/^hearth:[0-9a-f-]{36}:\d+:email$/);
    expect(mail.headers.get('message-id')).toMatch(/^<[\w-]+@hearth\.test>$/);
    expect(mail.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail.raw).toMatch(/Content-Type: text\/html/);
    // Positive control: what may be said is there, decoded the same way as what may not.
    expect(mail.decoded).toContain('Domestic abuse notification (Operation Encompass)');
    expect(mail.decoded).toContain('https://hearth.test/alerts/');
    // No case content: not the summary, the body, a name or an address.
    for (const secret of ['Acacia', 'disclosed', 'Officers attended', 'Lily', 'Tom', 'Dad threatened'])
      expect(mail.decoded).not.toContain(secret);
    // The AMBER for the lead waits: quiet hours delay, never drop.
    expect(mailTo('sam.social').filter((m) => m.headers.get('subject')?.includes('AMBER'))).toEqual([]);

    // She connects in the morning and sees the alert live in her inbox.
    const socket = await connectSocket(app.url, as['dee.school'].accessToken);
    socket.socket.emit('resume', { afterSeq: 0 });
    const alert = await socket.next((n) => n.type === 'ALERT_RAISED' && n.rag === 'RED' && n.familyId === familyId);
    expect(alert.alertId).toBeDefined();
    socket.close();

    now = at('07:01', 1);
    await worker.tick();
    const amber = mailTo('sam.social').filter(
      (m) => m.headers.get('subject') === 'Hearth: AMBER alert for family NS-2026-0142',
    );
    expect(amber).toHaveLength(1);
    expect(amber[0]!.decoded).toContain('Repeat incidents');
    for (const secret of ['Acacia', 'Lily', 'Officers attended']) expect(amber[0]!.decoded).not.toContain(secret);
  });

  it('gathers what was below the floor into one daily digest at the digest time, once a day', async () => {
    const familyId = families['NS-2026-0142']!;
    await settings('hal.health', { timeZone: 'UTC', emailFloor: 'AMBER', digestAt: '07:30', clearQuietHours: true });
    now = at('07:05', 2);
    await post('sam.social', familyId, 'NOTE');
    await post('sam.social', familyId, 'NOTE');
    await worker.tick();
    expect(mailTo('hal.health')).toEqual([]); // below the floor: held

    now = at('07:31', 2);
    await worker.tick();
    const digests = mailTo('hal.health');
    expect(digests).toHaveLength(1);
    expect(digests[0]!.headers.get('subject')).toMatch(/^Hearth: your daily digest \((\d+) updates\)$/);
    const count = Number(/\((\d+) updates\)/.exec(digests[0]!.headers.get('subject')!)![1]);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(digests[0]!.decoded).not.toContain('Acacia');

    now = at('09:00', 2);
    await worker.tick();
    expect(mailTo('hal.health')).toHaveLength(1);
  });

  it("drops (and audits) a removed member's pending email, and still sends the others'", async () => {
    const familyId = families['NS-2026-0163']!;
    await settings('pat.police', { emailFloor: 'ALL', clearQuietHours: true });
    await settings('dee.school', { emailFloor: 'ALL', clearQuietHours: true });
    now = at('12:00', 3);
    const eventId = await post('sam.social', familyId, 'NOTE');
    await app.gqlData({
      query: `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`,
      variables: { f: familyId, u: as['pat.police'].userId },
      token: as['sam.social'].accessToken,
    });
    const result = await worker.tick();

    expect(result.dropped).toBeGreaterThanOrEqual(1);
    expect(mailTo('pat.police')).toEqual([]);
    // Positive control: the member still in the network has hers.
    expect(
      mailTo('dee.school').some((m) => m.headers.get('subject') === 'Hearth: an update for family NS-2026-0163'),
    ).toBe(true);
    const { rows } = await query<{ outcome: string; reason: string }>(
      app,
      `SELECT a.outcome, a.reason FROM audit_entries a JOIN outbox_messages o ON o.id::text = a.subject_id
       WHERE a.subject_type = 'OutboundMessage' AND o.user_id = $1 AND o.event_id = $2`,
      [as['pat.police'].userId, eventId],
    );
    expect(rows).toEqual([{ outcome: 'DENIED', reason: 'the recipient may no longer be told' }]);
  });

  it('never writes a decision to send for a rolled-back transaction', async () => {
    const dataSource = app.hearth.app.get(DataSource);
    const inbox = app.hearth.app.get(InboxService);
    const familyId = families['NS-2026-0142']!;
    const outboxOf = async () =>
      (
        await query<{ n: string }>(app, `SELECT count(*) AS n FROM outbox_messages WHERE user_id = $1`, [
          as['dee.school'].userId,
        ])
      ).rows[0]!.n;
    const enqueue = (manager: EntityManager) =>
      inbox.enqueue(manager, [as['dee.school'].userId], { type: NotificationType.MEMBERSHIP_CHANGED, familyId });
    const before = await outboxOf();
    await expect(
      dataSource.transaction(async (manager) => {
        await enqueue(manager);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await outboxOf()).toBe(before);
    // Positive control: the same, committed, writes the decision.
    await dataSource.transaction(enqueue);
    expect(Number(await outboxOf())).toBe(Number(before) + 1);
  });

  it('sends again, with the same idempotency key, what a worker sent but died before marking', async () => {
    now = at('12:00', 5);
    await settings('dee.school', { emailFloor: 'ALL', clearQuietHours: true });
    await post('sam.social', families['NS-2026-0163']!, 'NOTE');
    const outbox = (worker as unknown as { outbox: { markSent: (...args: unknown[]) => Promise<void> } }).outbox;
    const markSent = outbox.markSent.bind(outbox);
    outbox.markSent = () => Promise.reject(new Error('killed mid-send'));
    await expect(worker.tick()).rejects.toThrow('killed mid-send');
    outbox.markSent = markSent;
    const first = mailTo('dee.school').filter((m) => m.headers.get('subject')?.includes('NS-2026-0163'));
    expect(first).toHaveLength(1);
    await worker.tick(); // within the lease: not sent again yet
    expect(mailTo('dee.school').filter((m) => m.headers.get('subject')?.includes('NS-2026-0163'))).toHaveLength(1);
    now = new Date(now.getTime() + LEASE_MS + 1000);
    await worker.tick();
    await worker.tick();
    const all = mailTo('dee.school').filter((m) => m.headers.get('subject')?.includes('NS-2026-0163'));
    expect(all).toHaveLength(2);
    expect(all[1]!.headers.get('x-hearth-idempotency-key')).toBe(all[0]!.headers.get('x-hearth-idempotency-key'));
    expect(all[1]!.headers.get('message-id')).toBe(all[0]!.headers.get('message-id'));
  });
});

describe('webhooks', () => {
  let secret = '';
  let status = 200;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver({
      secret: () => secret,
      nowSeconds: () => Math.floor(now.getTime() / 1000),
      respond: () => status,
    });
    const { registerWebhookEndpoint } = await app.gqlData<{
      registerWebhookEndpoint: { secret: string; endpoint: { id: string; enabled: boolean } };
    }>({
      query: `mutation ($url: String!) { registerWebhookEndpoint(url: $url) { secret endpoint { id enabled } } }`,
      variables: { url: receiver.url },
      token: as['ada.admin'].accessToken,
    });
    secret = registerWebhookEndpoint.secret;
    expect(secret).toMatch(/^whsec_/);
    await settings('pat.police', { webhookFloor: 'ALL' });
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => {
    receiver.deliveries.length = 0;
  });

  it('signs each delivery; one that fails three times then succeeds is accepted exactly once, with one webhook-id', async () => {
    now = at('10:00', 4);
    await post('sam.social', families['NS-2026-0142']!, 'NOTE');
    let answers = [500, 500, 503, 200];
    status = 0;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      status = answers[attempt]!;
      await worker.tick();
      now = new Date(now.getTime() + 2 * 60 * 60 * 1000); // past any backoff (capped at an hour)
    }
    await worker.tick();
    answers = [];
    const ids = new Set(receiver.deliveries.map((d) => d.id));
    expect(ids.size).toBe(1);
    expect(receiver.deliveries.map((d) => d.status)).toEqual([500, 500, 503, 200]);
    const body = JSON.parse(receiver.deliveries[3]!.body) as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe('notification.event_posted');
    expect(body.data['familyReference']).toBe('NS-2026-0142');
    expect(receiver.deliveries[3]!.body).not.toContain('Acacia');
  });

  it('is refused by the receiver when the signature is tampered with or the timestamp is stale', async () => {
    now = new Date(now.getTime() + 60_000);
    status = 200;
    await post('sam.social', families['NS-2026-0142']!, 'NOTE');
    await worker.tick();
    const genuine = receiver.deliveries.at(-1)!;
    expect(genuine.status).toBe(200); // positive control: the genuine request verifies
    const replay = async (headers: Record<string, string>, body: string) =>
      (await fetch(receiver.url, { method: 'POST', headers, body })).status;
    const h = (name: string) => String(genuine.headers[name]);
    const headers = {
      'webhook-id': h('webhook-id'),
      'webhook-timestamp': h('webhook-timestamp'),
      'webhook-signature': h('webhook-signature'),
    };
    expect(await replay(headers, genuine.body)).toBe(200);
    expect(await replay(headers, genuine.body.replace('NS-2026-0142', 'NS-2026-0157'))).toBe(401);
    const stale = String(Number(h('webhook-timestamp')) - 600);
    expect(await replay({ ...headers, 'webhook-timestamp': stale }, genuine.body)).toBe(401);
  });

  it('dead-letters after 24 hours of failures; the agency admin sees it and replays it', async () => {
    now = at('10:00', 6);
    status = 500;
    await post('sam.social', families['NS-2026-0142']!, 'NOTE');
    await worker.tick();
    now = new Date(now.getTime() + 25 * 60 * 60 * 1000);
    await worker.tick();
    const { webhookDeadLetters } = await app.gqlData<{ webhookDeadLetters: { id: string; idempotencyKey: string }[] }>({
      query: `{ webhookDeadLetters { id idempotencyKey attempts lastError } }`,
      token: as['ada.admin'].accessToken,
    });
    expect(webhookDeadLetters).toHaveLength(1);
    // Another agency's admin cannot see or replay it.
    const refused = await app.gql({
      query: `mutation ($id: ID!) { replayWebhookDelivery(id: $id) { id } }`,
      variables: { id: webhookDeadLetters[0]!.id },
      token: as['mia.manager'].accessToken,
    });
    expect(refused.errors?.[0]?.extensions?.['code']).toBeDefined();

    status = 200;
    await app.gqlData({
      query: `mutation ($id: ID!) { replayWebhookDelivery(id: $id) { id } }`,
      variables: { id: webhookDeadLetters[0]!.id },
      token: as['ada.admin'].accessToken,
    });
    await worker.tick();
    const accepted = receiver.deliveries.filter((d) => d.status === 200);
    expect(accepted.map((d) => d.id)).toEqual([webhookDeadLetters[0]!.idempotencyKey]);
  });
});
