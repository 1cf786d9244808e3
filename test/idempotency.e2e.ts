import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { Housekeeping } from '@hearth/mutation-gate';
import { errorCode } from '@hearth/testing';
import { demoWorld, query } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id summary } }`;
const REPLY = `mutation ($e: ID!, $b: String!) { replyToEvent(eventId: $e, body: $b) { id } }`;

describe('Idempotency-Key', () => {
  let app: TestApp;
  let sam: Session;
  let hal: Session;
  let familyId: string;
  let n = 0;

  const input = (summary: string) => ({
    familyId,
    kind: 'NOTE',
    severity: 'LOW',
    occurredAt: '2026-11-01T10:00:00Z',
    summary,
    visibility: 'NETWORK',
  });
  const post = (session: Session, summary: string, key?: string) =>
    app.gql<{ postEvent: { id: string; summary: string } }>({
      query: POST,
      variables: { input: input(summary) },
      token: session.accessToken,
      headers: key === undefined ? {} : { 'idempotency-key': key },
    });
  const count = async (table: string, where: string, params: unknown[]) =>
    (await query<{ n: number }>(app, `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0]!.n;
  const events = (summary: string) => count('timeline_events', 'summary = $1', [summary]);
  const unique = (what: string) => `${what} ${++n} ${Date.now()}`;

  beforeAll(async () => {
    app = await startTestApp();
    const world = await demoWorld(app);
    sam = world.sessions['sam.social'];
    hal = world.sessions['hal.health'];
    familyId = world.families['NS-2026-0142']!;
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates one event, one audit entry and one set of notifications for the same key sent three times', async () => {
    const summary = unique('three times');
    const key = `k-${summary}`;
    const first = await post(sam, summary, key);
    const second = await post(sam, summary, key);
    const third = await post(sam, summary, key);
    expect(errorCode(first)).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect(third.data).toEqual(first.data);
    expect(second.status).toBe(first.status);
    expect(await events(summary)).toBe(1);
    const id = first.data!.postEvent.id;
    expect(await count('audit_entries', `action = 'CREATE' AND subject_id = $1`, [id])).toBe(1);
    const notified = await count('notifications', 'event_id = $1', [id]);
    expect(notified).toBeGreaterThan(0);
    // Positive control: without a key, the same request twice is two events.
    const plain = unique('no key');
    await post(sam, plain);
    await post(sam, plain);
    expect(await events(plain)).toBe(2);
  });

  it('refuses the same key with a different request (CONFLICT), and changes nothing', async () => {
    const key = unique('key');
    const first = unique('first body');
    expect(errorCode(await post(sam, first, key))).toBeUndefined();
    const other = unique('other body');
    const res = await post(sam, other, key);
    expect(errorCode(res)).toBe('CONFLICT');
    expect(await events(other)).toBe(0);
    expect(await events(first)).toBe(1);
  });

  it('scopes keys to the user: the same key from someone else is their own request', async () => {
    const key = unique('shared key');
    const samSays = unique('sam');
    const halSays = unique('hal');
    expect(errorCode(await post(sam, samSays, key))).toBeUndefined();
    expect(errorCode(await post(hal, halSays, key))).toBeUndefined();
    expect(await events(samSays)).toBe(1);
    expect(await events(halSays)).toBe(1);
  });

  it('runs two concurrent requests with one key once: the second waits and gets the first outcome', async () => {
    const summary = unique('concurrent');
    const key = `k-${summary}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => post(sam, summary, key)));
    for (const res of results) expect(errorCode(res)).toBeUndefined();
    expect(new Set(results.map((r) => r.data?.postEvent.id)).size).toBe(1);
    expect(await events(summary)).toBe(1);
  });

  it('stores a domain error as the outcome: the retry gets the same error and does nothing', async () => {
    const key = unique('reply key');
    const missing = '00000000-0000-4000-8000-000000000000';
    const first = await app.gql({
      query: REPLY,
      variables: { e: missing, b: 'hello' },
      token: sam.accessToken,
      headers: { 'idempotency-key': key },
    });
    expect(errorCode(first)).toBe('NOT_FOUND');
    const again = await app.gql({
      query: REPLY,
      variables: { e: missing, b: 'hello' },
      token: sam.accessToken,
      headers: { 'idempotency-key': key },
    });
    expect(again.errors).toEqual(first.errors);
    expect(await count('idempotency_keys', 'key = $1', [key])).toBe(1);
  });

  it.each([
    ['too long', Buffer.from('x'.repeat(256)), true],
    ['empty', Buffer.from(''), true],
    ['a tab', Buffer.from('abc\tdef'), true],
    ['non-ASCII', Buffer.from('clé-ü', 'utf8'), true],
    // Node's HTTP parser refuses this one itself, with a 400, before Hearth sees it.
    ['a control character', Buffer.from('abc\u0001def', 'latin1'), false],
  ])(
    'refuses a key that is %s with BAD_USER_INPUT naming the header, and writes nothing',
    async (_what, key, reaches) => {
      const summary = unique('bad key');
      // Raw bytes on a socket: fetch would refuse to send some of these headers at all.
      const body = JSON.stringify({ query: POST, variables: { input: input(summary) } });
      const { port } = new URL(app.url);
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
        socket.write(
          Buffer.concat([
            Buffer.from(
              `POST /graphql HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
                `authorization: Bearer ${sam.accessToken}\r\nconnection: close\r\n` +
                `content-length: ${Buffer.byteLength(body)}\r\nidempotency-key: `,
            ),
            key,
            Buffer.from(`\r\n\r\n${body}`),
          ]),
        );
      });
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1]);
      expect(status).toBe(400);
      if (reaches) {
        expect(raw).toContain('"code":"BAD_USER_INPUT"');
        expect(raw).toContain('"field":"Idempotency-Key"');
      }
      expect(await events(summary)).toBe(0);
    },
  );

  it('accepts a key of exactly 255 printable characters', async () => {
    const summary = unique('long key');
    const key = `${summary}-`.padEnd(255, '~');
    expect(errorCode(await post(sam, summary, key))).toBeUndefined();
    expect(errorCode(await post(sam, summary, key))).toBeUndefined();
    expect(await events(summary)).toBe(1);
  });

  it('forgets keys after 24 hours: the job deletes them, and an expired key runs again', async () => {
    const summary = unique('expiring');
    const key = `k-${summary}`;
    expect(errorCode(await post(sam, summary, key))).toBeUndefined();
    await query(app, `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    const fresh = unique('fresh');
    expect(errorCode(await post(sam, fresh, `k-${fresh}`))).toBeUndefined();
    const { idempotencyKeys } = await app.hearth.app.get(Housekeeping).sweep();
    expect(idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await count('idempotency_keys', 'key = $1', [key])).toBe(0);
    expect(await count('idempotency_keys', 'key = $1', [`k-${fresh}`])).toBe(1);
    expect(errorCode(await post(sam, summary, key))).toBeUndefined();
    expect(await events(summary)).toBe(2);
  });
});
