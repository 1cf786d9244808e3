import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { AUTHENTICATOR, Authenticated, type Authenticator, type Principal } from '@hearth/authz';
import { DeliverySweep, NOTIFICATION_EVENT } from './delivery-sweep.js';
import { InboxService } from './inbox.service.js';
import { userRoom } from './rooms.js';
import { ServerDoorbell } from './server.doorbell.js';

/** Per socket: events allowed per second, and unknown events tolerated before disconnecting. */
export const EVENTS_PER_SECOND = 20;
export const UNKNOWN_EVENTS_ALLOWED = 10;
/** Sockets one user may hold open on one API node. */
export const SOCKETS_PER_USER = 10;
const RESUME_BATCH = 500;
/** Whether the API nodes share their sockets through a cluster adapter (HEARTH_SOCKET_ADAPTER is not `none`). */
export const SOCKETS_CLUSTERED = Symbol('SOCKETS_CLUSTERED');
/** Told to the other API nodes when a session ends: each cuts its own sockets of it. */
const SESSION_ENDED = 'hearth:session-ended';

const resumeSchema = z.strictObject({ afterSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });
const ackSchema = z.strictObject({ seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

interface SocketData {
  principal: Principal;
  eventsThisSecond: number;
  second: number;
  unknownEvents: number;
}

/**
 * socket.io on the API's HTTP server. The handshake is authenticated by the same service as
 * HTTP (token in `auth.token`, never the query string); a socket joins only its user's room;
 * clients cannot join rooms. Notifications are pushed after commit; `resume` replays the inbox;
 * the delivery sweep sends a connected socket what a lost push did not bring.
 */
@Injectable()
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly logger = new Logger('Realtime');
  @WebSocketServer() server: Server | null = null;
  unknownEventsTotal = 0;

  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly inbox: InboxService,
    private readonly doorbell: ServerDoorbell,
    private readonly sweep: DeliverySweep,
    @Inject(SOCKETS_CLUSTERED) private readonly clustered: boolean,
  ) {}

  afterInit(server: Server): void {
    this.doorbell.attach(server);
    this.sweep.attach(server);
    server.on(SESSION_ENDED, (userId: string, sessionId: string) => this.cutSession(userId, sessionId));
    server.use((socket, next) => {
      void this.authenticate(socket).then(
        () => next(),
        () => next(new Error('unauthorized')),
      );
    });
  }

  handleConnection(socket: Socket): void {
    const data = socket.data as SocketData;
    // Before anything else, so that no event a client sends at once escapes the checks.
    socket.use(([event], next) => {
      if (!this.withinRate(data)) {
        socket.disconnect(true);
        return;
      }
      if (event !== 'resume' && event !== 'ack') {
        this.unknownEventsTotal++;
        if (++data.unknownEvents > UNKNOWN_EVENTS_ALLOWED) socket.disconnect(true);
        return;
      }
      next();
    });
    // Counted and joined in one turn: concurrent handshakes of one user cannot all pass the count.
    const room = userRoom(data.principal.userId);
    if ((socket.nsp.adapter.rooms.get(room)?.size ?? 0) >= SOCKETS_PER_USER) {
      socket.emit('error', { message: 'too many connections' });
      socket.disconnect(true);
      return;
    }
    this.sweep.track(socket, data.principal.userId);
    void socket.join(room);
    // Hearth addresses users, never one socket: the room socket.io makes of the socket's own id
    // (a set and a map entry per socket) is left. An ended session is cut by `cutSession`.
    void socket.leave(socket.id);
    this.sweep.start(socket).catch((error: unknown) => {
      // A socket whose deliveries cannot be accounted for is closed: the client reconnects and resumes.
      this.logger.warn({ err: error, msg: 'could not read the inbox of a new socket; disconnected it' });
      socket.disconnect(true);
    });
  }

  @Authenticated()
  @SubscribeMessage('resume')
  async resume(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<{ ok: boolean; replayed?: number; error?: string }> {
    const parsed = resumeSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: 'afterSeq must be a non-negative integer' };
    const principal = (socket.data as SocketData).principal;
    let after = parsed.data.afterSeq;
    let replayed = 0;
    for (;;) {
      const page = await this.inbox.since(principal, after, RESUME_BATCH);
      for (const payload of page.notifications) socket.emit(NOTIFICATION_EVENT, payload);
      replayed += page.notifications.length;
      if (!page.more) break;
      after = page.scannedThrough;
    }
    return { ok: true, replayed };
  }

  @Authenticated()
  @SubscribeMessage('ack')
  async ack(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<{ ok: boolean; error?: string }> {
    const parsed = ackSchema.safeParse(body);
    if (!parsed.success) return { ok: false, error: 'seq must be a positive integer' };
    await this.inbox.markDelivered((socket.data as SocketData).principal.userId, parsed.data.seq);
    return { ok: true };
  }

  /** Disconnects a user's sockets on every node (disabled account, ended session). */
  disconnectUser(userId: string, sessionId?: string): void {
    if (!this.server) return;
    if (!sessionId) {
      this.server.in(userRoom(userId)).disconnectSockets(true);
      return;
    }
    this.cutSession(userId, sessionId);
    if (this.clustered) this.server.serverSideEmit(SESSION_ENDED, userId, sessionId);
  }

  /**
   * This node's sockets of one session, found among its user's: a socket is in no room of its
   * own that another node could address (socket.io's room of its id is left, to keep an idle
   * socket small), so each node is told and looks for itself.
   */
  private cutSession(userId: string, sessionId: string): void {
    const sockets = this.server?.of('/');
    for (const id of sockets?.adapter.rooms.get(userRoom(userId)) ?? []) {
      const socket = sockets?.sockets.get(id);
      if (socket && (socket.data as SocketData).principal.sessionId === sessionId) socket.disconnect(true);
    }
  }

  private async authenticate(socket: Socket): Promise<void> {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    if (typeof auth?.token !== 'string') throw new Error('no token');
    const principal = await this.authenticator.authenticate(auth.token);
    const data: SocketData = { principal, eventsThisSecond: 0, second: 0, unknownEvents: 0 };
    socket.data = data;
  }

  private withinRate(data: SocketData): boolean {
    const second = Math.floor(Date.now() / 1000);
    if (second !== data.second) {
      data.second = second;
      data.eventsThisSecond = 0;
    }
    return ++data.eventsThisSecond <= EVENTS_PER_SECOND;
  }
}
