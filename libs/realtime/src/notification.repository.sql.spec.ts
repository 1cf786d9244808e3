import { randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { NotificationType } from './notification.model.js';
import { NotificationRepository } from './notification.repository.js';

describeRepositorySql(import.meta.url, {
  'notification.repository': async ({ sql, record, rolledBack }) => {
    const notifications = new NotificationRepository(sql.dataSource, sql.dataSource);
    await rolledBack((manager) =>
      record('NotificationRepository.insertForUsers', () =>
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
      ),
    );
    await record('NotificationRepository.since', () => notifications.since(randomUUID(), 0, 50));
    await record('NotificationRepository.lastSeqs', () => notifications.lastSeqs([randomUUID()]));
    await record('NotificationRepository.after', () =>
      notifications.after([{ userId: randomUUID(), afterSeq: 4 }], 200),
    );
    await record('NotificationRepository.markDelivered', () => notifications.markDelivered(randomUUID(), 3));
  },
});
