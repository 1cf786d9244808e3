import { expect, it } from '@jest/globals';
import pg from 'pg';
import { describeRepositorySql } from '@hearth/testing';
import { SocketNoticeRepository } from './socket-notice.repository.js';

const spec = describeRepositorySql(import.meta.url, {
  'socket-notice.repository': async ({ sql, record }) => {
    await record('SocketNoticeRepository.notify', () =>
      new SocketNoticeRepository().notify(sql.dataSource, 'hearth-sql-spec', []),
    );
  },
});

it('sends each notice of a batch, in order, to those listening on the channel', async () => {
  const listener = new pg.Client({ connectionString: spec.db.database.url });
  await listener.connect();
  try {
    const heard: string[] = [];
    const all = new Promise<void>((resolve) =>
      listener.on('notification', (message) => {
        heard.push(message.payload ?? '');
        if (heard.length === 3) resolve();
      }),
    );
    await listener.query('LISTEN "socket.io#/"');
    const pool = new pg.Pool({ connectionString: spec.db.database.url, max: 1 });
    try {
      await new SocketNoticeRepository().notify(pool, 'socket.io#/', ['one', 'two', 'three']);
    } finally {
      await pool.end();
    }
    await all;
    expect(heard).toEqual(['one', 'two', 'three']);
  } finally {
    await listener.end();
  }
});
