import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { ReceivedNotification } from '@hearth/testing';

/**
 * A client that keeps what it is told, as the web client does: each `seq` is handed on once (a
 * repeat, such as a push arriving after the sweep sent it, is counted and dropped), and on every
 * (re)connection it sends `resume` from the highest `seq` below which it has seen everything.
 * It starts from the user's last `seq` at the time: only what comes later is its business.
 */
export class LiveClient {
  readonly bySeq = new Map<number, ReceivedNotification>();
  repeats = 0;
  private socket: Socket | undefined;

  private constructor(
    readonly userId: string,
    private readonly token: string,
    private readonly base: number,
  ) {}

  /** A client for the user, starting after their last `seq` in the database. */
  static async start(databaseUrl: string, userId: string, token: string): Promise<LiveClient> {
    const [base] = await lastSeqs(databaseUrl, [userId]);
    return new LiveClient(userId, token, base ?? 0);
  }

  /** The highest `seq` through which this client has everything since it started. */
  get through(): number {
    let seq = this.base;
    while (this.bySeq.has(seq + 1)) seq++;
    return seq;
  }

  /** Connects to a node (leaving any other) and resumes; resolves once the replay is sent. */
  async connect(baseUrl: string): Promise<void> {
    this.socket?.close();
    const socket = io(baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      auth: { token: this.token },
      reconnection: false,
      forceNew: true,
    });
    this.socket = socket;
    socket.on('notification', (n: ReceivedNotification) => {
      if (n.seq <= this.base) return;
      if (this.bySeq.has(n.seq)) this.repeats++;
      else this.bySeq.set(n.seq, n);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
    const ack = (await socket.timeout(30_000).emitWithAck('resume', { afterSeq: this.through })) as { ok: boolean };
    if (!ack.ok) throw new Error(`resume refused: ${JSON.stringify(ack)}`);
  }

  /** Resolves once the socket is gone (the node died or closed it). */
  disconnected(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve();
    return new Promise((resolve) => socket.once('disconnect', () => resolve()));
  }

  close(): void {
    this.socket?.close();
  }

  /** What the client has, as `seq` → event id (or type), to compare with `stored`. */
  seen(): Map<number, string> {
    return new Map([...this.bySeq].map(([seq, n]) => [seq, n.eventId ?? n.type]));
  }

  /** The user's notifications in the database after the client's start, the same way. */
  async stored(databaseUrl: string): Promise<Map<number, string>> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ seq: string; what: string }>(
        `SELECT seq, coalesce(event_id::text, type) AS what FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq`,
        [this.userId, this.base],
      );
      return new Map(rows.map((r) => [Number(r.seq), r.what]));
    } finally {
      await client.end();
    }
  }

  /** Whether the client has every notification stored for the user so far. */
  async hasEverything(databaseUrl: string): Promise<boolean> {
    const stored = await this.stored(databaseUrl);
    return [...stored.keys()].every((seq) => this.bySeq.has(seq));
  }
}

async function lastSeqs(databaseUrl: string, users: string[]): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ last_seq: string | null }>(
      `SELECT c.last_seq FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, i)
       LEFT JOIN inbox_counters c ON c.user_id = u.id ORDER BY u.i`,
      [users],
    );
    return rows.map((r) => Number(r.last_seq ?? 0));
  } finally {
    await client.end();
  }
}
