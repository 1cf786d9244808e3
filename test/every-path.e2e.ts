import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { io, type Socket } from 'socket.io-client';
import { eventually } from '@hearth/testing';
import { demoWorld, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Every path (SECURITY.md, Access control 3): an event a user may not read never shows its
 * summary or body through any query. The queries are not listed by hand: the test walks the
 * schema, selects everything reachable from every root Query field, and fills arguments by
 * name. A root field with a required argument the test does not know fails the suite, naming
 * the field, so a query added later is covered or its author teaches the test here.
 */

const SECRET_SUMMARY = 'SECRET-SUMMARY-7f3a91';
const SECRET_BODY = 'SECRET-BODY-c02e5d';
const SECRET_REPLY = 'SECRET-REPLY-9b4e11';
const SECRET_AMENDMENT = 'SECRET-AMENDMENT-4d8c2a';
const SECRETS = [SECRET_SUMMARY, SECRET_BODY, SECRET_REPLY, SECRET_AMENDMENT];

/** How deep below a root field the selection goes; a type may appear twice on one path (amends). */
const MAX_DEPTH = 5;
const MAX_REPEATS = 2;

describe('no path shows content outside its audience', () => {
  let app: TestApp;
  let as: Record<DemoUser, Session>;
  let familyId: string;
  let eventId: string;
  let personId: string;
  const socketPayloads: unknown[] = [];
  let socket: Socket | undefined;

  /** Argument values by name: what a caller exploring this family would pass. */
  const argumentValue = (arg: GraphQLArgument): unknown => {
    const known: Record<string, unknown> = {
      id: familyId,
      familyId,
      eventId,
      personId,
      name: 'Secret Baby',
      search: 'Secret Baby',
      dateOfBirth: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
      first: 50,
      afterSeq: 0,
    };
    return known[arg.name];
  };

  const isRequired = (arg: GraphQLArgument) => isNonNullType(arg.type) && arg.defaultValue === undefined;

  /** A selection of everything reachable from a type, without fields that need arguments. */
  function selection(type: GraphQLNamedType, depth: number, path: string[]): string | null {
    if (isScalarType(type) || isEnumType(type)) return '';
    if (depth > MAX_DEPTH) return null;
    if (path.filter((name) => name === type.name).length >= MAX_REPEATS) return null;
    const next = [...path, type.name];
    if (isUnionType(type) || isInterfaceType(type)) {
      const parts = app.hearth.app
        .get(GraphQLSchemaHost)
        .schema.getPossibleTypes(type)
        .map((t) => {
          const inner = selection(t, depth, path);
          return inner ? `... on ${t.name} ${inner}` : null;
        })
        .filter(Boolean);
      return parts.length ? `{ __typename ${parts.join(' ')} }` : null;
    }
    const fields = Object.values((type as GraphQLObjectType).getFields())
      .filter((f) => !f.args.some(isRequired))
      .map((f) => {
        const inner = selection(getNamedType(f.type), depth + 1, next);
        return inner === null ? null : `${f.name}${inner ? ` ${inner}` : ''}`;
      })
      .filter((f): f is string => f !== null);
    return fields.length ? `{ ${fields.join(' ')} }` : null;
  }

  const typeName = (t: GraphQLInputType): string =>
    isNonNullType(t) ? `${typeName(t.ofType)}!` : isListType(t) ? `[${typeName(t.ofType)}]` : t.name;

  /** The operation for one root field, or an error naming what the test cannot fill. */
  function operationFor(field: GraphQLField<unknown, unknown>): { query: string; variables: Record<string, unknown> } {
    const variables: Record<string, unknown> = {};
    const declared: string[] = [];
    const passed: string[] = [];
    for (const arg of field.args) {
      const value = argumentValue(arg);
      if (value === undefined) {
        if (isRequired(arg))
          throw new Error(
            `Query.${field.name} has a required argument "${arg.name}" that test/every-path.e2e.ts cannot fill: teach argumentValue() about it`,
          );
        continue;
      }
      const named = getNamedType(getNullableType(arg.type));
      if (isListType(getNullableType(arg.type)) || !(isScalarType(named) || isEnumType(named))) continue;
      variables[arg.name] = value;
      declared.push(`$${arg.name}: ${typeName(arg.type)}`);
      passed.push(`${arg.name}: $${arg.name}`);
    }
    const inner = selection(getNamedType(field.type), 1, []);
    if (inner === null) throw new Error(`Query.${field.name}: nothing to select`);
    return {
      query: `query${declared.length ? ` (${declared.join(', ')})` : ''} { ${field.name}${
        passed.length ? `(${passed.join(', ')})` : ''
      } ${inner} }`,
      variables,
    };
  }

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: as } = await demoWorld(app));
    const sam = as['sam.social'].accessToken;
    const { createFamily } = await app.gqlData<{ createFamily: { id: string } }>({
      query: `mutation { createFamily(input: { reference: "EP-0001", protectionStatus: CHILD_PROTECTION_PLAN }) { id } }`,
      token: sam,
    });
    familyId = createFamily.id;
    const { addPerson } = await app.gqlData<{ addPerson: { id: string } }>({
      query: `mutation ($input: AddPersonInput!) { addPerson(input: $input) { id } }`,
      variables: {
        input: {
          familyId,
          role: 'CHILD',
          givenName: 'Secret',
          familyName: 'Baby',
          dateOfBirth: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
        },
      },
      token: sam,
    });
    personId = addPerson.id;
    for (const who of ['dee.school', 'pat.police'] as const)
      await app.gqlData({
        query: `mutation ($f: ID!, $u: ID!) { addNetworkMember(familyId: $f, userId: $u) { role } }`,
        variables: { f: familyId, u: as[who].userId },
        token: sam,
      });

    // dee.school listens on the socket from before the event is posted.
    socket = io(app.url, { auth: { token: as['dee.school'].accessToken }, transports: ['websocket'] });
    socket.on('notification', (payload: unknown) => socketPayloads.push(payload));
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', () => resolve());
      socket!.once('connect_error', reject);
    });

    // An injury to a baby of a month: it raises an alert to the whole network, matching the event.
    const { postEvent } = await app.gqlData<{ postEvent: { id: string } }>({
      query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
      variables: {
        input: {
          familyId,
          kind: 'INJURY',
          severity: 'HIGH',
          occurredAt: new Date().toISOString(),
          summary: `Bruising ${SECRET_SUMMARY}`,
          body: `Seen at home ${SECRET_BODY}`,
          subjectIds: [personId],
          visibility: 'RESTRICTED',
          audienceUserIds: [as['pat.police'].userId],
        },
      },
      token: sam,
    });
    eventId = postEvent.id;
    await app.gqlData({
      query: `mutation ($e: ID!, $b: String!) { replyToEvent(eventId: $e, body: $b) { id } }`,
      variables: { e: eventId, b: `Discussed ${SECRET_REPLY}` },
      token: as['pat.police'].accessToken,
    });
    await app.gqlData({
      query: `mutation ($e: ID!, $s: String!) { amendEvent(eventId: $e, input: { summary: $s, reason: "Correction" }) { id } }`,
      variables: { e: eventId, s: `Bruising, corrected ${SECRET_AMENDMENT}` },
      token: sam,
    });
    await app.gqlData({
      query: `mutation ($e: ID!) { acknowledgeEvent(eventId: $e) { id } }`,
      variables: { e: eventId },
      token: as['pat.police'].accessToken,
    });
  }, 60_000);

  afterAll(async () => {
    socket?.disconnect();
    await app.close();
  });

  const rootFields = () => Object.values(app.hearth.app.get(GraphQLSchemaHost).schema.getQueryType()!.getFields());

  it('knows how to call every root query field', () => {
    const problems: string[] = [];
    for (const field of rootFields()) {
      try {
        operationFor(field);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    expect(problems).toEqual([]);
  });

  it('shows the secret to its audience through the same walk (the walk reaches it)', async () => {
    const seen = new Set<string>();
    for (const field of rootFields()) {
      const res = await app.gql({ ...operationFor(field), token: as['pat.police'].accessToken });
      const text = JSON.stringify(res);
      for (const secret of SECRETS) if (text.includes(secret)) seen.add(`${secret} via ${field.name}`);
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        `${SECRET_SUMMARY} via timeline`,
        `${SECRET_BODY} via timeline`,
        `${SECRET_REPLY} via timeline`,
        `${SECRET_AMENDMENT} via timeline`,
        `${SECRET_SUMMARY} via alerts`,
      ]),
    );
  });

  const outsiders = ['dee.school', 'hal.health', 'mia.manager', 'ada.admin', 'aud.auditor', 'pam.partner'] as const;

  it.each(outsiders)('never shows the secret to %s through any query', async (who) => {
    const leaks: string[] = [];
    const reached: string[] = [];
    for (const field of rootFields()) {
      const operation = operationFor(field);
      const res = await app.gql({ ...operation, token: as[who].accessToken });
      const text = JSON.stringify(res);
      for (const secret of SECRETS) if (text.includes(secret)) leaks.push(`${field.name}: ${secret}`);
      if (text.includes(eventId)) reached.push(field.name);
      // A walk that only ever fails would prove nothing; cost and depth limits must not refuse it.
      for (const error of res.errors ?? [])
        expect(['NOT_FOUND', 'FORBIDDEN']).toContain(error.extensions?.code ?? error.message);
    }
    expect(leaks).toEqual([]);
    // The member outside the audience does reach the event, redacted, through these paths.
    if (who === 'dee.school') expect(reached).toEqual(expect.arrayContaining(['timeline', 'alerts', 'notifications']));
  });

  it('sends socket notifications with ids and metadata only', async () => {
    await eventually(
      () => Promise.resolve(socketPayloads.some((p) => (p as { eventId?: string }).eventId === eventId)),
      {
        what: 'the EVENT_POSTED notification on the socket',
      },
    );
    for (const payload of socketPayloads) {
      const text = JSON.stringify(payload);
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      expect(Object.keys(payload as object)).not.toEqual(expect.arrayContaining(['summary']));
      expect(Object.keys(payload as object)).not.toEqual(expect.arrayContaining(['body']));
    }
    expect(socketPayloads).toEqual(
      expect.arrayContaining([expect.objectContaining({ eventId, type: 'EVENT_POSTED' })]),
    );
  });
});
