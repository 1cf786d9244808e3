import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { OutboxWorker } from '@hearth/notify';
import { InboxService, NotificationType } from '@hearth/realtime';
import { demoWorld } from './support/demo.js';
import { startMailbox } from './support/outbound.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/* How fast the outbox empties into a local SMTP server; prints messages per second. */
const MESSAGES = 400;
let app: TestApp;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;

beforeAll(async () => {
  mailbox = await startMailbox();
  app = await startTestApp({ HEARTH_RUN_WORKER: 'false', SMTP_URL: mailbox.url });
});
afterAll(async () => {
  await app.close();
  await mailbox.close();
});

it(`sends ${MESSAGES} queued emails to a local SMTP server`, async () => {
  const { sessions, families } = await demoWorld(app);
  const worker = app.hearth.app.get(OutboxWorker);
  await worker.tick(); // what the demo seed queued
  mailbox.mails.length = 0;
  await app.gqlData({
    query: `mutation { updateMyNotificationSettings(input: { emailFloor: ALL, clearQuietHours: true }) { emailFloor } }`,
    token: sessions['dee.school'].accessToken,
  });
  const inbox = app.hearth.app.get(InboxService);
  await app.hearth.app.get(DataSource).transaction(async (manager) => {
    for (let i = 0; i < MESSAGES; i += 1)
      await inbox.enqueue(manager, [sessions['dee.school'].userId], {
        type: NotificationType.MEMBERSHIP_CHANGED,
        familyId: families['NS-2026-0142']!,
      });
  });
  const started = performance.now();
  const result = await worker.tick();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `outbox: ${result.sent} emails in ${seconds.toFixed(2)} s = ${(result.sent / seconds).toFixed(0)} messages/s\n`,
  );
  expect(result.sent).toBe(MESSAGES);
  expect(mailbox.mails).toHaveLength(MESSAGES);
}, 120_000);
