import { Injectable } from '@nestjs/common';

export type SessionsEndedListener = (userId: string, sessionId?: string) => void;

/**
 * Announces, after commit, that a user's sessions (or one session) ended: an account disabled,
 * a logout, a stolen refresh token. The realtime layer listens and cuts the sockets.
 */
@Injectable()
export class SessionEvents {
  private readonly listeners: SessionsEndedListener[] = [];

  onSessionsEnded(listener: SessionsEndedListener): void {
    this.listeners.push(listener);
  }

  sessionsEnded(userId: string, sessionId?: string): void {
    for (const listener of this.listeners) listener(userId, sessionId);
  }
}
