import { io, type Socket } from 'socket.io-client';
import { refresh, sessionEnded, validToken } from './session.ts';

/** What the server pushes: ids and safe metadata only; content is fetched over GraphQL. */
export interface Notice {
  seq: number;
  type:
    | 'EVENT_POSTED'
    | 'ALERT_RAISED'
    | 'ALERT_UPDATED'
    | 'REPLY_POSTED'
    | 'MEMBERSHIP_CHANGED'
    | 'ACCESS_GRANTED'
    | 'ACCESS_REVOKED';
  familyId: string | null;
  eventId?: string;
  alertId?: string;
  rag?: string;
  at: string;
}

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * The doorbell. Each notice is handed on once (by seq); after any reconnect the client asks the
 * server to `resume` from the last seq it saw, so a dropped connection loses nothing.
 */
export class Live {
  private socket: Socket | null = null;
  private lastSeq: number;
  private readonly seen = new Set<number>();
  private readonly noticeListeners = new Set<(notice: Notice) => void>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  status: LiveStatus = 'connecting';
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(afterSeq: number) {
    this.lastSeq = afterSeq;
  }

  start(): void {
    const socket = io({
      path: '/socket.io',
      transports: ['websocket'],
      // A function, so every reconnect authenticates afresh with a current token.
      auth: (callback) => {
        void validToken().then((token) => callback({ token: token ?? '' }));
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      socket.emit('resume', { afterSeq: this.lastSeq });
      this.setStatus('live');
    });
    socket.on('disconnect', (reason) => {
      this.setStatus('reconnecting');
      // The server closed it (restart, or this user was disabled): socket.io will not retry by itself.
      if (reason === 'io server disconnect') this.later();
    });
    socket.on('connect_error', (error) => {
      this.setStatus('reconnecting');
      if (error.message === 'unauthorized') {
        void refresh().then((outcome) => {
          if (outcome === 'refused') sessionEnded();
          else this.later();
        });
      } else if (!socket.active) {
        this.later();
      }
    });
    socket.on('notification', (notice: Notice) => {
      if (this.seen.has(notice.seq)) return;
      this.seen.add(notice.seq);
      this.lastSeq = Math.max(this.lastSeq, notice.seq);
      socket.emit('ack', { seq: notice.seq });
      for (const listener of this.noticeListeners) listener(notice);
    });
  }

  private later(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.socket?.connect(), 1000);
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  onNotice(listener: (notice: Notice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  stop(): void {
    clearTimeout(this.retry);
    this.socket?.disconnect();
  }
}
