import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter as createPostgresAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import type { IncomingMessage } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { redisChannel } from './rooms.js';

export interface RealtimeOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string | undefined;
  readonly cluster: 'redis' | 'postgres' | 'none';
  readonly allowedOrigins: readonly string[];
  readonly onError: (error: unknown) => void;
}

/** Largest message a client may send, in bytes. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/**
 * socket.io with Hearth's settings: WebSocket transport, a payload cap, an origin allow-list
 * (browsers send Origin; a non-browser client sends none), and a cluster adapter so that every
 * node reaches every socket: Redis or PostgreSQL (HEARTH_SOCKET_ADAPTER), or none for one node.
 */
export class HearthIoAdapter extends IoAdapter {
  private readonly closers: (() => Promise<unknown>)[] = [];
  private readonly adapters: { close(): Promise<void> | void }[] = [];
  private pool: pg.Pool | undefined;

  constructor(
    app: INestApplicationContext,
    private readonly options: RealtimeOptions,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const allowed = new Set(this.options.allowedOrigins);
    const server = super.createIOServer(port, {
      ...options,
      path: '/socket.io',
      transports: ['websocket'],
      serveClient: false,
      maxHttpBufferSize: MAX_PAYLOAD_BYTES,
      allowRequest: (req: IncomingMessage, callback: (error: string | null | undefined, ok: boolean) => void) => {
        const origin = req.headers.origin;
        callback(null, origin === undefined || allowed.has(origin));
      },
    } as ServerOptions);
    server.on('connection', forgetHandshake);
    if (this.options.cluster === 'none') return server;
    const create = this.clusterAdapter();
    const adapters = this.adapters;
    // socket.io calls this with `new` for each namespace; a plain function returning the adapter does.
    server.adapter(function adapterFor(this: unknown, nsp: Parameters<typeof create>[0]) {
      const adapter = create(nsp);
      adapters.push(adapter);
      return adapter;
    } as unknown as Parameters<Server['adapter']>[0]);
    return server;
  }

  /**
   * A socket's message handlers as plain listeners. Nest's default builds an RxJS pipeline per
   * socket and event that lives as long as the socket (about half of an idle socket's heap); here
   * a message runs its handler (guards, pipes and filters included) and answers its
   * acknowledgement, and nothing is kept between messages.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const payload = this.mapPayload(args.length === 1 ? args[0] : args) as { data: unknown; ack?: unknown };
        const { data, ack } = payload;
        let answer: Observable<unknown>;
        try {
          answer = transform(callback(data, ack));
        } catch (error) {
          this.logger.error(error);
          return;
        }
        answer.subscribe({
          next: (response) => {
            if (response === null || response === undefined) return;
            const event = response as { event?: string; data?: unknown };
            if (event.event) socket.emit(event.event, event.data);
            else if (!isAckHandledManually && typeof ack === 'function') (ack as (r: unknown) => void)(response);
          },
          error: (error: unknown) => this.logger.error(error),
        });
      });
    }
  }

  /**
   * Nest skips closing a socket server that shares the HTTP server when connections are force
   * closed, so the sockets, the adapters and their connections are closed here.
   */
  override async close(server: Server): Promise<void> {
    server.disconnectSockets(true);
    const adapters = this.adapters.splice(0);
    for (const adapter of adapters) await Promise.resolve(adapter.close()).catch(this.options.onError);
    await super.close(server);
    // The PostgreSQL adapter connects in the background; one that was still connecting takes
    // its connection after the close above. Close again until every connection is back.
    for (let i = 0; i < 30 && this.pool && this.pool.idleCount < this.pool.totalCount; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const adapter of adapters) await Promise.resolve(adapter.close()).catch(this.options.onError);
    }
    for (const close of this.closers.splice(0)) await close().catch(this.options.onError);
  }

  private clusterAdapter(): ReturnType<typeof createPostgresAdapter> | ReturnType<typeof createRedisAdapter> {
    if (this.options.cluster === 'redis' && this.options.redisUrl) {
      const publisher = new Redis(this.options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
      const subscriber = publisher.duplicate();
      for (const client of [publisher, subscriber]) client.on('error', this.options.onError);
      this.closers.push(
        () => publisher.quit(),
        () => subscriber.quit(),
      );
      return createRedisAdapter(publisher, subscriber, { key: redisChannel(this.options.databaseUrl) });
    }
    const pool = new pg.Pool({
      connectionString: this.options.databaseUrl,
      max: 2,
      application_name: 'hearth-socket-adapter',
    });
    // The adapter keeps one client checked out for LISTEN: a dropped connection must not crash us,
    // and must go back to the pool as broken. The adapter listens again on a new client but never
    // releases the dead one, which would hold one of the pool's two connections for good and,
    // after a second drop, leave none for publishing.
    const checkedOut = new Set<pg.PoolClient>();
    pool.on('acquire', (client) => checkedOut.add(client));
    pool.on('release', (_error, client) => checkedOut.delete(client));
    pool.on('error', this.options.onError);
    pool.on('connect', (client) => {
      client.on('error', this.options.onError);
      client.on('end', () => {
        if (checkedOut.has(client)) client.release(true);
      });
    });
    // Bounded: a connection the adapter was still opening must not hold shutdown up.
    this.closers.push(() => Promise.race([pool.end(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]));
    return createPostgresAdapter(pool, {
      errorHandler: this.options.onError,
      heartbeatInterval: 5000,
      heartbeatTimeout: 10_000,
    });
  }
}

/** Nothing: one frozen object serves every socket, so nothing can write one socket's data into all. */
const NOTHING = Object.freeze({});
const NO_LIST = Object.freeze([]);
/** A connected socket's handshake: nothing of the request. */
const FORGOTTEN = Object.freeze({
  headers: NOTHING,
  time: '',
  address: '',
  xdomain: false,
  secure: false,
  issued: 0,
  url: '',
  query: NOTHING,
  auth: NOTHING,
});

/**
 * A socket that has connected (its middleware, which authenticates it, has run) keeps neither
 * the credentials of its handshake (the access token, ~0.4 kB) nor the rest of the HTTP request
 * that opened its connection (headers, URL and query, ~0.7 kB): nothing reads them again, and an
 * idle socket's heap is most of what a node holds for each practitioner with Hearth open. Its
 * handshake becomes one shared empty one. The request itself stays reachable from its TCP socket
 * (engine.io's upgrade response listens for its close), so it is emptied, not just let go of.
 */
function forgetHandshake(socket: Socket): void {
  (socket as { handshake: unknown }).handshake = FORGOTTEN;
  const connection = socket.conn as unknown as { request: IncomingMessage | null };
  if (connection.request) {
    Object.assign(connection.request, { headers: NOTHING, rawHeaders: NO_LIST, url: '', _query: NOTHING });
    connection.request = null;
  }
}
