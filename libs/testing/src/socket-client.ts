import { io, type Socket } from 'socket.io-client';

export interface ReceivedNotification {
  readonly seq: number;
  readonly type: string;
  readonly familyId: string | null;
  readonly eventId?: string;
  readonly alertId?: string;
  readonly rag?: string;
  readonly at: string;
}

export interface TestSocket {
  readonly socket: Socket;
  /** Every notification received so far, in arrival order. */
  readonly received: ReceivedNotification[];
  /** The next notification (already received or arriving) that matches, or a timeout error. */
  next(match: (n: ReceivedNotification) => boolean, timeoutMs?: number): Promise<ReceivedNotification>;
  close(): void;
}

/** A real socket.io client on Hearth's socket, authenticated as a browser would be. */
export async function connectSocket(
  baseUrl: string,
  token: string | undefined,
  options: { query?: Record<string, string> } = {},
): Promise<TestSocket> {
  const socket = io(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: token === undefined ? {} : { token },
    query: options.query,
    reconnection: false,
    forceNew: true,
  });
  const received: ReceivedNotification[] = [];
  const waiters: { match: (n: ReceivedNotification) => boolean; resolve: (n: ReceivedNotification) => void }[] = [];
  socket.on('notification', (n: ReceivedNotification) => {
    received.push(n);
    for (const waiter of [...waiters]) {
      if (waiter.match(n)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(n);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return {
    socket,
    received,
    next(match, timeoutMs = 3000) {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching notification within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (n) => {
            clearTimeout(timer);
            resolve(n);
          },
        });
      });
    },
    close: () => socket.close(),
  };
}

/** The error a refused handshake gives, such as "unauthorized". */
export async function refusedHandshake(
  baseUrl: string,
  token: string | undefined,
  options: { query?: Record<string, string>; origin?: string } = {},
): Promise<string> {
  const socket = io(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: token === undefined ? {} : { token },
    query: options.query,
    reconnection: false,
    forceNew: true,
    ...(options.origin ? { extraHeaders: { origin: options.origin } } : {}),
  });
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('the handshake was accepted')));
      socket.once('connect_error', (error) => resolve(error.message));
    });
  } finally {
    socket.close();
  }
}
