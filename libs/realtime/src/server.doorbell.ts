import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';
import type { Delivery, Doorbell } from './doorbell.js';
import { userRoom } from './rooms.js';

/**
 * An API node's doorbell: its socket.io server (given by the gateway once it exists) reaches
 * the users' rooms on every node through the cluster adapter. A process that serves no sockets
 * (the seed command) has no server: the inbox keeps the notifications.
 */
@Injectable()
export class ServerDoorbell implements Doorbell {
  private server: Server | undefined;

  attach(server: Server): void {
    this.server = server;
  }

  ring(deliveries: readonly Delivery[]): void {
    const server = this.server;
    if (!server) return;
    for (const { userId, payload } of deliveries) server.to(userRoom(userId)).emit('notification', payload);
  }
}
