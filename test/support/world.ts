import { randomUUID } from 'node:crypto';
import type { ReceivedNotification, TestSocket } from '@hearth/testing';
import { openSession, type Session } from './session.js';
import type { TestApp } from './test-app.js';

/**
 * Acting through the API as users do, for tests that build their own families and accounts
 * instead of relying on the demo's.
 */
export function actions(app: TestApp) {
  const data = <T>(session: Session, query: string, variables: Record<string, unknown> = {}) =>
    app.gqlData<T>({ query, variables, token: session.accessToken });
  const call = (session: Session, query: string, variables: Record<string, unknown> = {}) =>
    app.gql({ query, variables, token: session.accessToken });

  const addMember = (lead: Session, familyId: string, member: Session, expiresAt?: Date) =>
    call(
      lead,
      `mutation ($f: ID!, $u: ID!, $e: DateTime) { addNetworkMember(familyId: $f, userId: $u, expiresAt: $e) { role } }`,
      { f: familyId, u: member.userId, e: expiresAt?.toISOString() ?? null },
    );

  return {
    data,
    call,

    /**
     * A new account made by `admin` (in `agencyId` when a partnership admin makes it), with a
     * session opened as a sign-in opens one (`openSession`: no password check).
     */
    async newUser(
      admin: Session,
      roles: string[],
      agencyId?: string,
      name = 'New Practitioner',
    ): Promise<Session & { email: string; password: string }> {
      const email = `user.${randomUUID().slice(0, 8)}@test.hearth`;
      const password = 'a-long-initial-password';
      await data(admin, `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
        input: {
          email,
          displayName: name,
          roles,
          password,
          phone: '01632 960001',
          jobTitle: 'Worker',
          ...(agencyId ? { agencyId } : {}),
        },
      });
      return { ...(await openSession(app, email)), email, password };
    },

    async newAgency(partnershipAdmin: Session, kind: string): Promise<string> {
      const created = await data<{ createAgency: { id: string } }>(
        partnershipAdmin,
        `mutation ($input: CreateAgencyInput!) { createAgency(input: $input) { id } }`,
        { input: { name: `Test ${kind} ${randomUUID().slice(0, 6)}`, kind } },
      );
      return created.createAgency.id;
    },

    /** A family led by `lead`, with `members` added (no expiry). */
    async newFamily(lead: Session, members: Session[] = [], protectionStatus = 'NONE'): Promise<string> {
      const { createFamily } = await data<{ createFamily: { id: string } }>(
        lead,
        `mutation ($input: CreateFamilyInput!) { createFamily(input: $input) { id } }`,
        { input: { reference: `T-${randomUUID().slice(0, 12)}`, protectionStatus } },
      );
      for (const member of members) {
        const added = await addMember(lead, createFamily.id, member);
        if (added.errors?.length) throw new Error(`addNetworkMember: ${JSON.stringify(added.errors)}`);
      }
      return createFamily.id;
    },

    addMember,

    async removeMember(lead: Session, familyId: string, member: Session) {
      await data(lead, `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`, {
        f: familyId,
        u: member.userId,
      });
    },

    /** A baby of two months in the family: an injury to her raises a RED alert to lead and network. */
    async addBaby(lead: Session, familyId: string): Promise<string> {
      const { addPerson } = await data<{ addPerson: { id: string } }>(
        lead,
        `mutation ($input: AddPersonInput!) { addPerson(input: $input) { id } }`,
        {
          input: {
            familyId,
            role: 'CHILD',
            givenName: 'Baby',
            familyName: `Test${randomUUID().slice(0, 4)}`,
            dateOfBirth: new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10),
          },
        },
      );
      return addPerson.id;
    },

    async post(author: Session, familyId: string, input: Record<string, unknown> = {}): Promise<string> {
      const { postEvent } = await data<{ postEvent: { id: string } }>(
        author,
        `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
        {
          input: {
            familyId,
            kind: 'NOTE',
            severity: 'INFO',
            occurredAt: new Date().toISOString(),
            summary: 'A note',
            ...input,
          },
        },
      );
      return postEvent.id;
    },

    async reply(author: Session, eventId: string, body = 'A reply'): Promise<string> {
      const { replyToEvent } = await data<{ replyToEvent: { id: string } }>(
        author,
        `mutation ($e: ID!, $b: String!) { replyToEvent(eventId: $e, body: $b) { id } }`,
        { e: eventId, b: body },
      );
      return replyToEvent.id;
    },

    /** The whole inbox after `afterSeq`, page by page. */
    async inbox(session: Session, afterSeq = 0): Promise<ReceivedNotification[]> {
      const all: ReceivedNotification[] = [];
      let after = afterSeq;
      for (;;) {
        const { notifications } = await data<{ notifications: ReceivedNotification[] }>(
          session,
          `query ($a: Int) { notifications(afterSeq: $a, first: 50) { seq type familyId eventId alertId rag at } }`,
          { a: after },
        );
        all.push(...notifications);
        if (notifications.length < 50) return all;
        after = notifications.at(-1)!.seq;
      }
    },

    /** `resume` from `afterSeq` on `socket`: every replayed notification has arrived when it answers. */
    async resume(socket: TestSocket, afterSeq = 0): Promise<ReceivedNotification[]> {
      const before = socket.received.length;
      const ack = (await socket.socket.emitWithAck('resume', { afterSeq })) as { ok: boolean };
      if (!ack.ok) throw new Error('resume was refused');
      return socket.received.slice(before);
    },

    async familyCode(session: Session, familyId: string): Promise<string | undefined> {
      const res = await call(session, `query ($id: ID!) { family(id: $id) { id } }`, { id: familyId });
      return res.errors?.[0]?.extensions?.code ?? (res.data ? 'OK' : 'NO DATA');
    },
  };
}

/** Resolves when `socket` receives a notification matching `match`, or is disconnected first. */
export function arrivesOrCut(
  socket: TestSocket,
  match: (n: ReceivedNotification) => boolean,
  timeoutMs = 10_000,
): Promise<'arrived' | 'disconnected'> {
  if (!socket.socket.connected) return Promise.resolve('disconnected');
  return Promise.race([
    socket.next(match, timeoutMs).then(() => 'arrived' as const),
    new Promise<'disconnected'>((resolve) => socket.socket.once('disconnect', () => resolve('disconnected'))),
  ]);
}

export const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
