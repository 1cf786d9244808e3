import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Emitter as RedisEmitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Delivery, Doorbell } from './doorbell.js';
import { redisChannel, userRoom } from './rooms.js';
import { SocketNoticeRepository } from './socket-notice.repository.js';

export interface EmitterOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string | undefined;
  readonly cluster: 'redis' | 'postgres' | 'none';
}

/** The cluster adapter's BROADCAST message, from an emitter (socket.io-adapter's MessageType 3). */
const BROADCAST = 3;
const EVENT_PACKET = 2;
const EMITTER_UID = 'emitter';
const CHANNEL = 'socket.io#/';

/**
 * Emits through the PostgreSQL adapter as its own emitter would: a NOTIFY on the namespace's
 * channel that every API node's adapter broadcasts to its local sockets. (The published
 * @socket.io/postgres-emitter omits the namespace that adapter 0.5 routes by, so its messages
 * are ignored.) A batch is one round trip.
 */
class PostgresEmitter {
  private readonly notices = new SocketNoticeRepository();

  constructor(private readonly pool: pg.Pool) {}

  async emit(messages: readonly { room: string; event: string; payload: unknown }[]): Promise<void> {
    if (messages.length === 0) return;
    const notices = messages.map(({ room, event, payload }) =>
      JSON.stringify({
        uid: EMITTER_UID,
        nsp: '/',
        type: BROADCAST,
        data: {
          packet: { type: EVENT_PACKET, data: [event, payload], nsp: '/' },
          opts: { rooms: [room], except: [], flags: {} },
        },
      }),
    );
    await this.notices.notify(this.pool, CHANNEL, notices);
  }
}

/**
 * The worker's doorbell: it has no sockets of its own, so it emits to the users' rooms through
 * the socket.io emitter over the adapter the API nodes listen on (PostgreSQL NOTIFY or Redis).
 * If that message is lost, nothing is: the notification is in the inbox for `resume`.
 */
@Injectable()
export class EmitterDoorbell implements Doorbell, OnModuleDestroy {
  private readonly logger = new Logger('EmitterDoorbell');
  private readonly emitter: RedisEmitter | undefined;
  private readonly postgres: PostgresEmitter | undefined;
  private readonly close: () => Promise<unknown>;

  constructor(options: EmitterOptions) {
    if (options.cluster === 'redis' && options.redisUrl) {
      const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
      redis.on('error', (error: unknown) => this.logger.warn({ err: error }, 'socket emitter: Redis error'));
      this.emitter = new RedisEmitter(redis, { key: redisChannel(options.databaseUrl) });
      this.postgres = undefined;
      this.close = () => redis.quit();
    } else if (options.cluster === 'postgres') {
      const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2, application_name: 'hearth-emitter' });
      pool.on('error', (error: unknown) => this.logger.warn({ err: error }, 'socket emitter: PostgreSQL error'));
      this.emitter = undefined;
      this.postgres = new PostgresEmitter(pool);
      this.close = () => pool.end();
    } else {
      this.emitter = undefined;
      this.postgres = undefined;
      this.close = () => Promise.resolve();
    }
  }

  ring(deliveries: readonly Delivery[]): void {
    if (this.emitter) {
      for (const { userId, payload } of deliveries) this.emitter.to(userRoom(userId)).emit('notification', payload);
    }
    void this.postgres
      ?.emit(deliveries.map(({ userId, payload }) => ({ room: userRoom(userId), event: 'notification', payload })))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'socket emitter: the inbox keeps them'));
  }

  onModuleDestroy(): Promise<unknown> {
    return this.close();
  }
}
