import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readTestSettings } from '@hearth/config';
import { connectSocket, type TestSocket } from '@hearth/testing';
import { demoWorld, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Two deployments on one Redis, whose users have the same ids: two databases cloned from one
 * template, as a staging copy restored from production's backup would be. Rooms are named by user
 * id, so on one channel a doorbell of one deployment would ring the other's sockets, and a client
 * that counts notifications by seq would take the stranger's for its own and drop its own.
 */
const POST = `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`;

describe('two deployments sharing one Redis', () => {
  const redisUrl = readTestSettings().redisUrl;
  if (!redisUrl) {
    it('has no Redis to try: REDIS_URL is not set, so this test did not run', () => {
      process.stdout.write('REDIS_URL is not set: the Redis isolation test did not run\n');
      expect(redisUrl).toBeUndefined();
    });
    return;
  }

  const env = { HEARTH_SOCKET_ADAPTER: 'redis', REDIS_URL: redisUrl };
  let first: TestApp;
  let second: TestApp;
  let on: Record<'first' | 'second', { sessions: Record<DemoUser, Session>; families: Record<string, string> }>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([startTestApp(env), startTestApp(env)]);
    on = { first: await demoWorld(first), second: await demoWorld(second) };
  }, 120_000);
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([first?.close(), second?.close()]);
  });

  async function post(app: TestApp, world: (typeof on)['first'], summary: string): Promise<string> {
    const data = await app.gqlData<{ postEvent: { id: string } }>({
      query: POST,
      variables: {
        input: {
          familyId: world.families['NS-2026-0142']!,
          kind: 'NOTE',
          severity: 'INFO',
          occurredAt: new Date().toISOString(),
          summary,
        },
      },
      token: world.sessions['pat.police'].accessToken,
    });
    return data.postEvent.id;
  }

  it("never rings one deployment's sockets for the other's notifications", async () => {
    // The premise: the same user, by id, in both.
    expect(on.first.sessions['sam.social'].userId).toBe(on.second.sessions['sam.social'].userId);
    const samFirst = await connectSocket(first.url, on.first.sessions['sam.social'].accessToken);
    const samSecond = await connectSocket(second.url, on.second.sessions['sam.social'].accessToken);
    sockets.push(samFirst, samSecond);

    // Positive control: the first deployment's post reaches sam there.
    const inFirst = await post(first, on.first, 'Seen at the door, first deployment');
    const heard = await samFirst.next((n) => n.eventId === inFirst);
    // The second's, posted after, reaches sam on the second: by then the first's doorbell, rung
    // before it, would have arrived too had it been on the same channel.
    const inSecond = await post(second, on.second, 'Seen at the door, second deployment');
    const heardSecond = await samSecond.next((n) => n.eventId === inSecond);
    expect(heardSecond.seq).toBe(heard.seq);
    expect(samSecond.received.map((n) => n.eventId)).not.toContain(inFirst);
    expect(samFirst.received.map((n) => n.eventId)).not.toContain(inSecond);
  });
});
