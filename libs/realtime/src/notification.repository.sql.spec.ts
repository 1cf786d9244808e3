import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { NotificationType } from './notification.model.js';
import { NotificationRepository } from './notification.repository.js';

let db: TestDataSource;
let sql: SqlRecorder;

beforeAll(async () => {
  db = await createTestDataSource(1);
  sql = await createSqlRecorder(db.database.url);
});
afterAll(async () => {
  await sql.close();
  await db.close();
});

class RolledBack extends Error {}

it('issues the statements committed in libs/realtime/sql/notification.repository.sql', async () => {
  const notifications = new NotificationRepository(sql.dataSource);
  await expect(
    sql.dataSource.transaction(async (manager) => {
      await sql.record('NotificationRepository.insertForUsers', () =>
        notifications.insertForUsers(manager, [
          {
            users: [],
            fields: {
              type: NotificationType.EVENT_POSTED,
              familyId: randomUUID(),
              eventId: randomUUID(),
              alertId: null,
              rag: null,
            },
          },
        ]),
      );
      throw new RolledBack();
    }),
  ).rejects.toBeInstanceOf(RolledBack);
  await sql.record('NotificationRepository.since', () => notifications.since(randomUUID(), 0, 50));
  await sql.record('NotificationRepository.lastSeqs', () => notifications.lastSeqs([randomUUID()]));
  await sql.record('NotificationRepository.after', () =>
    notifications.after([{ userId: randomUUID(), afterSeq: 4 }], 200),
  );
  await sql.record('NotificationRepository.markDelivered', () => notifications.markDelivered(randomUUID(), 3));
  const { committed, current } = sql.compare(
    new URL('../sql/notification.repository.sql', import.meta.url),
    'libs/realtime/src/notification.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});
