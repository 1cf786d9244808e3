import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { createSqlRecorder, createTestDataSource, type SqlRecorder, type TestDataSource } from '@hearth/testing';
import { SocketNoticeRepository } from './socket-notice.repository.js';

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

it('issues the statements committed in libs/realtime/sql/socket-notice.repository.sql', async () => {
  await sql.record('SocketNoticeRepository.notify', () =>
    new SocketNoticeRepository().notify(sql.dataSource, 'hearth-sql-spec', []),
  );
  const { committed, current } = sql.compare(
    new URL('../sql/socket-notice.repository.sql', import.meta.url),
    'libs/realtime/src/socket-notice.repository.sql.spec.ts',
  );
  expect(committed).toBe(current);
});

it('sends each notice of a batch, in order, to those listening on the channel', async () => {
  const listener = new pg.Client({ connectionString: db.database.url });
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
    const pool = new pg.Pool({ connectionString: db.database.url, max: 1 });
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
