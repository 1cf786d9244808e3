/** The only room a socket joins: its user's. Clients never choose rooms. */
export const userRoom = (userId: string) => `user:${userId}`;
