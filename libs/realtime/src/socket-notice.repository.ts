/** What runs a statement: the emitter's own pool, or any data source. */
export interface Queryable {
  query(sql: string, parameters: unknown[]): Promise<unknown>;
}

/**
 * The PostgreSQL adapter's channel: a NOTIFY per message, which every API node's socket.io
 * adapter listening on the channel broadcasts to its local sockets. Names no table. A batch is
 * one statement.
 */
export class SocketNoticeRepository {
  async notify(db: Queryable, channel: string, notices: readonly string[]): Promise<void> {
    await db.query(`SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice`, [channel, notices]);
  }
}
