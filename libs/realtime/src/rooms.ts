/** The only room a socket joins: its user's. Clients never choose rooms. */
export const userRoom = (userId: string) => `user:${userId}`;

/**
 * The prefix of the Redis channels a deployment's nodes and workers talk on: named after their
 * database, so deployments sharing one Redis never hear each other. Rooms are named by user id,
 * and two databases can hold the same ids (a staging copy restored from production's backup, the
 * test suite's databases cloned from one template): on one channel, one deployment's doorbells
 * would reach the other's sockets.
 */
export function redisChannel(databaseUrl: string): string {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  return `hearth#${database || 'postgres'}`;
}
