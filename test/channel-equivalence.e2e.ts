import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connectSocket, eventually, type ReceivedNotification, type TestSocket } from '@hearth/testing';
import { propertyRuns, propertyTimeout } from './support/property.js';
import { openSession, type Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/*
 * Channel equivalence (SECURITY.md, Access control 3, 5, 9, 11): over generated partnerships and
 * random changes to them, no channel — live socket pushes, the `notifications` inbox, `resume`,
 * the direct GraphQL read of a family and its timeline with nested fields, and for auditors the
 * audit trail and its CSV export — ever reveals more than the plain rules of PRODUCT.md allow at
 * that moment. The rules are written out below from PRODUCT.md alone (`Rules`), not from the
 * code. Worlds are inserted straight into the database (fast); every channel is driven through
 * the running app over real HTTP and real sockets, and every change a user makes goes through the
 * API as they would make it (an expiry is the passing of time, so it is written directly).
 *
 * 25 worlds a run in the suite; `npm run test:deep` draws ten times as many (support/property.ts).
 */

const RUNS = propertyRuns(25);
const KINDS = ['SOCIAL_CARE', 'POLICE', 'EDUCATION', 'HEALTH', 'VOLUNTARY'] as const;
const ROLE_SETS = [
  ['PRACTITIONER'],
  ['PRACTITIONER'],
  ['MANAGER'],
  ['AGENCY_ADMIN'],
  ['AUDITOR'],
  ['PRACTITIONER', 'AGENCY_ADMIN'],
  ['PRACTITIONER', 'AUDITOR'],
] as const;
const VISIBILITIES = ['NETWORK', 'AGENCY', 'RESTRICTED'] as const;
type Visibility = (typeof VISIBILITIES)[number];

// ---------------------------------------------------------------------------------------------
// What a world is, and what happens to it.

interface WorldSpec {
  agencies: number; // 2 or 3, of different kinds
  users: { agency: number; roles: readonly string[] }[]; // user 0 leads every family
  families: { members: { user: number; timeBoxed: boolean }[] }[];
  events: {
    family: number;
    author: number; // an index into the family's members (or the lead)
    visibility: Visibility;
    audienceUsers: number[];
    audienceAgencies: number[];
    reply: boolean;
    amend: boolean;
  }[];
  grant: { user: number; family: number } | null;
  sensitive: { user: number; family: number } | null;
  steps: Step[];
}

type Change =
  | { kind: 'remove'; user: number; family: number }
  | { kind: 'expire'; user: number; family: number }
  | { kind: 'roles'; user: number; roles: readonly string[] }
  | { kind: 'disable'; user: number }
  | { kind: 'breakGlass'; user: number; family: number }
  | { kind: 'reviewInappropriate' }
  | { kind: 'sensitive'; user: number; family: number };

/** A change, then what people do next: post, reply, acknowledge the alert. */
interface Step {
  change: Change;
  poster: number;
  family: number;
  visibility: Visibility;
  audienceUser: number;
  replier: number;
  acknowledge: boolean;
}

const worldArbitrary: fc.Arbitrary<WorldSpec> = fc
  .record({
    agencies: fc.integer({ min: 2, max: 3 }),
    userCount: fc.integer({ min: 4, max: 6 }),
    familyCount: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ agencies, userCount, familyCount }) => {
    const user = fc.integer({ min: 0, max: userCount - 1 });
    const other = fc.integer({ min: 1, max: userCount - 1 });
    const family = fc.integer({ min: 0, max: familyCount - 1 });
    const change: fc.Arbitrary<Change> = fc.oneof(
      fc.record({ kind: fc.constant('remove' as const), user: other, family }),
      fc.record({ kind: fc.constant('expire' as const), user: other, family }),
      fc.record({ kind: fc.constant('roles' as const), user: other, roles: fc.constantFrom(...ROLE_SETS) }),
      fc.record({ kind: fc.constant('disable' as const), user: other }),
      fc.record({ kind: fc.constant('breakGlass' as const), user: other, family }),
      fc.record({ kind: fc.constant('reviewInappropriate' as const) }),
      fc.record({ kind: fc.constant('sensitive' as const), user: other, family }),
    );
    return fc.record({
      agencies: fc.constant(agencies),
      users: fc.tuple(
        fc.constant({ agency: 0, roles: ['PRACTITIONER'] as readonly string[] }),
        ...Array.from({ length: userCount - 1 }, () =>
          fc.record({ agency: fc.integer({ min: 0, max: agencies - 1 }), roles: fc.constantFrom(...ROLE_SETS) }),
        ),
      ),
      families: fc.array(
        fc.record({
          members: fc.uniqueArray(fc.record({ user: other, timeBoxed: fc.boolean() }), {
            selector: (m) => m.user,
            minLength: 1,
            maxLength: userCount - 1,
          }),
        }),
        { minLength: familyCount, maxLength: familyCount },
      ),
      events: fc.array(
        fc.record({
          family,
          author: fc.nat(5),
          visibility: fc.constantFrom(...VISIBILITIES),
          audienceUsers: fc.uniqueArray(user, { maxLength: 2 }),
          audienceAgencies: fc.uniqueArray(fc.integer({ min: 0, max: agencies - 1 }), { maxLength: 1 }),
          reply: fc.boolean(),
          amend: fc.boolean(),
        }),
        { minLength: 2, maxLength: 4 },
      ),
      grant: fc.option(fc.record({ user: other, family }), { nil: null }),
      sensitive: fc.option(fc.record({ user: other, family }), { nil: null }),
      steps: fc.array(
        fc.record({
          change,
          poster: user,
          family,
          visibility: fc.constantFrom(...VISIBILITIES),
          audienceUser: user,
          replier: user,
          acknowledge: fc.boolean(),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    });
  });

// ---------------------------------------------------------------------------------------------
// The rules, from PRODUCT.md and SECURITY.md, over a plain model of the world.

interface RefUser {
  id: string;
  agency: number;
  roles: Set<string>;
  active: boolean;
  name: string;
  email: string;
  phone: string;
}
interface RefMembership {
  lead: boolean;
  removed: boolean;
  expired: boolean;
  sensitive: boolean;
}
interface RefEvent {
  id: string;
  family: number;
  author: number;
  agency: number;
  visibility: Visibility;
  audienceUsers: number[];
  audienceAgencies: number[];
  summary: string;
  secrets: string[]; // summary, body, amendment reason
  replies: { id: string; author: number; body: string }[];
  amends: string | null;
}
interface RefState {
  agencies: string[];
  users: RefUser[];
  families: { id: string; lead: number }[];
  /** By `${family}:${user}`. */
  memberships: Map<string, RefMembership>;
  grants: { id: string; user: number; family: number; inappropriate: boolean }[];
  events: Map<string, RefEvent>;
  alert: { id: string; family: number } | null;
}

const clone = (s: RefState): RefState => ({
  agencies: s.agencies,
  users: s.users.map((u) => ({ ...u, roles: new Set(u.roles) })),
  families: s.families,
  memberships: new Map([...s.memberships].map(([k, m]) => [k, { ...m }])),
  grants: s.grants.map((g) => ({ ...g })),
  events: new Map([...s.events].map(([k, e]) => [k, { ...e, replies: [...e.replies] }])),
  alert: s.alert,
});

const Rules = {
  /** Practitioners and managers work with families; admins, auditors and partnership admins do not. */
  caseWorker(s: RefState, u: number): boolean {
    const user = s.users[u]!;
    return user.active && (user.roles.has('PRACTITIONER') || user.roles.has('MANAGER'));
  },
  member(s: RefState, u: number, f: number): boolean {
    const m = s.memberships.get(`${f}:${u}`);
    return m !== undefined && !m.removed && !m.expired;
  },
  /** Case data is visible to active network members and to holders of a live grant. */
  relates(s: RefState, u: number, f: number): boolean {
    return (
      Rules.caseWorker(s, u) &&
      (Rules.member(s, u, f) || s.grants.some((g) => g.user === u && g.family === f && !g.inappropriate))
    );
  },
  /** NETWORK: every member; AGENCY: the posting agency; RESTRICTED: named users or agencies. */
  readsContent(s: RefState, u: number, e: RefEvent): boolean {
    if (!Rules.relates(s, u, e.family)) return false;
    if (e.author === u || e.visibility === 'NETWORK') return true;
    if (e.visibility === 'AGENCY') return s.users[u]!.agency === e.agency;
    return e.audienceUsers.includes(u) || e.audienceAgencies.includes(s.users[u]!.agency);
  },
  auditor(s: RefState, u: number): boolean {
    return s.users[u]!.active && s.users[u]!.roles.has('AUDITOR');
  },
  /** Whether telling `u` of `n` was allowed in state `s`. */
  mayBeTold(s: RefState, u: number, n: { type: string; familyId: string | null; eventId?: string | null }): boolean {
    const f = s.families.findIndex((x) => x.id === n.familyId);
    if (f < 0) return false;
    switch (n.type) {
      case 'EVENT_POSTED':
      case 'MEMBERSHIP_CHANGED':
      case 'ALERT_RAISED':
      case 'ALERT_UPDATED':
        return Rules.relates(s, u, f);
      case 'REPLY_POSTED': {
        const event = s.events.get(n.eventId ?? '');
        return event !== undefined && Rules.readsContent(s, u, event);
      }
      case 'ACCESS_GRANTED':
      case 'ACCESS_REVOKED':
        return (s.families[f]!.lead === u && Rules.relates(s, u, f)) || Rules.auditor(s, u);
      default:
        return false;
    }
  },
  /** A sensitive member is unidentifiable to viewers of other agencies. */
  masked(s: RefState, viewer: number, f: number, member: number): boolean {
    return (
      s.memberships.get(`${f}:${member}`)?.sensitive === true && s.users[member]!.agency !== s.users[viewer]!.agency
    );
  },
};

// ---------------------------------------------------------------------------------------------

interface InboxRow {
  user_id: string;
  seq: number;
  type: string;
  family_id: string | null;
  event_id: string | null;
  alert_id: string | null;
}

describe('every channel shows at most what PRODUCT.md allows', () => {
  let app: TestApp;
  let pool: pg.Pool;
  let pam: Session;
  let auditorOfDemo: Session;
  let worldCount = 0;
  /** What the worlds exercised: changes applied, things posted, notifications judged, by kind. */
  const exercised = new Map<string, number>();
  const count = (what: string) => exercised.set(what, (exercised.get(what) ?? 0) + 1);

  beforeAll(async () => {
    app = await startTestApp();
    pool = new pg.Pool({ connectionString: app.database.url, max: 4 });
    pam = await openSession(app, 'pam.partner', pool);
    auditorOfDemo = await openSession(app, 'aud.auditor', pool);
  });
  afterAll(async () => {
    await pool.end();
    await app.close();
  });

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> =>
    (await pool.query(text, params)).rows as T[];
  const gql = (token: string, query: string, variables: Record<string, unknown> = {}) =>
    app.gql({ query, variables, token });

  /** A session as login opens one (without argon2 for every generated user), and its access token. */
  const tokenFor = async (user: RefUser): Promise<string> => (await openSession(app, user.email, pool)).accessToken;

  /** The world inserted directly; returns the model the rules judge. */
  async function insertWorld(w: WorldSpec, tag: string): Promise<RefState> {
    const kinds = Array.from({ length: w.agencies }, (_, i) => KINDS[(worldCount + i) % KINDS.length]!);
    const agencies: string[] = [];
    for (const [i, kind] of kinds.entries()) {
      const [row] = await sql<{ id: string }>(`INSERT INTO agencies (name, kind) VALUES ($1, $2) RETURNING id`, [
        `${tag} agency ${i}`,
        kind,
      ]);
      agencies.push(row!.id);
    }
    const users: RefUser[] = [];
    for (const [i, u] of w.users.entries()) {
      const name = `${tag} Person${i}`;
      const email = `${tag.toLowerCase()}.p${i}@world.test`;
      const phone = `07700 9${tag.slice(-4)}${i}`;
      const [row] = await sql<{ id: string }>(
        `INSERT INTO users (agency_id, email, display_name, job_title, phone, roles)
         VALUES ($1, $2, $3, 'Worker', $4, $5) RETURNING id`,
        [agencies[u.agency], email, name, phone, [...u.roles]],
      );
      users.push({ id: row!.id, agency: u.agency, roles: new Set(u.roles), active: true, name, email, phone });
    }
    const state: RefState = {
      agencies,
      users,
      families: [],
      memberships: new Map(),
      grants: [],
      events: new Map(),
      alert: null,
    };
    let secret = 0;
    const nextSecret = (what: string) => `${tag}-${what}-${++secret}`;
    for (const [f, spec] of w.families.entries()) {
      const [family] = await sql<{ id: string }>(
        `INSERT INTO families (reference, lead_user_id, created_by) VALUES ($1, $2, $2) RETURNING id`,
        [`${tag}-F${f}`, users[0]!.id],
      );
      state.families.push({ id: family!.id, lead: 0 });
      await sql(`INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'LEAD', $2)`, [
        family!.id,
        users[0]!.id,
      ]);
      state.memberships.set(`${f}:0`, { lead: true, removed: false, expired: false, sensitive: false });
      for (const m of spec.members) {
        await sql(
          `INSERT INTO network_members (family_id, user_id, role, added_by, expires_at)
           VALUES ($1, $2, 'MEMBER', $3, CASE WHEN $4 THEN now() + interval '1 day' END)`,
          [family!.id, users[m.user]!.id, users[0]!.id, m.timeBoxed],
        );
        state.memberships.set(`${f}:${m.user}`, { lead: false, removed: false, expired: false, sensitive: false });
      }
    }
    if (w.sensitive && state.memberships.has(`${w.sensitive.family}:${w.sensitive.user}`)) {
      await sql(
        `UPDATE network_members SET sensitive = true, contact_route = 'Through the lead' WHERE family_id = $1 AND user_id = $2`,
        [state.families[w.sensitive.family]!.id, users[w.sensitive.user]!.id],
      );
      state.memberships.get(`${w.sensitive.family}:${w.sensitive.user}`)!.sensitive = true;
    }
    if (w.grant && !state.memberships.has(`${w.grant.family}:${w.grant.user}`)) {
      const [grant] = await sql<{ id: string }>(
        `INSERT INTO access_grants (family_id, user_id, reason, expires_at) VALUES ($1, $2, 'Generated urgent need', now() + interval '4 hours') RETURNING id`,
        [state.families[w.grant.family]!.id, users[w.grant.user]!.id],
      );
      state.grants.push({ id: grant!.id, user: w.grant.user, family: w.grant.family, inappropriate: false });
    }
    for (const e of w.events) {
      const members = [0, ...w.families[e.family]!.members.map((m) => m.user)];
      const author = members[e.author % members.length]!;
      const summary = nextSecret('summary');
      const body = nextSecret('body');
      const [row] = await sql<{ id: string }>(
        `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility,
           audience_user_ids, audience_agency_ids, summary, body)
         VALUES ($1, 'NOTE', 'LOW', now(), $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          state.families[e.family]!.id,
          agencies[users[author]!.agency],
          users[author]!.id,
          e.visibility,
          e.visibility === 'RESTRICTED' ? e.audienceUsers.map((u) => users[u]!.id) : [],
          e.visibility === 'RESTRICTED' ? e.audienceAgencies.map((a) => agencies[a]) : [],
          summary,
          body,
        ],
      );
      const event: RefEvent = {
        id: row!.id,
        family: e.family,
        author,
        agency: users[author]!.agency,
        visibility: e.visibility,
        audienceUsers: e.visibility === 'RESTRICTED' ? e.audienceUsers : [],
        audienceAgencies: e.visibility === 'RESTRICTED' ? e.audienceAgencies : [],
        summary,
        secrets: [summary, body],
        replies: [],
        amends: null,
      };
      state.events.set(event.id, event);
      if (e.reply) {
        const replyBody = nextSecret('reply');
        const [reply] = await sql<{ id: string }>(
          `INSERT INTO event_replies (family_id, event_id, author_id, agency_id, body) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [state.families[e.family]!.id, event.id, users[author]!.id, agencies[users[author]!.agency], replyBody],
        );
        event.replies.push({ id: reply!.id, author, body: replyBody });
      }
      if (e.amend) {
        const amended = nextSecret('amended');
        const reason = nextSecret('reason');
        const [amendment] = await sql<{ id: string }>(
          `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility,
             audience_user_ids, audience_agency_ids, summary, amends_event_id, amendment_reason)
           SELECT family_id, kind, severity, occurred_at, agency_id, author_id, visibility, audience_user_ids,
                  audience_agency_ids, $2, id, $3 FROM timeline_events WHERE id = $1 RETURNING id`,
          [event.id, amended, reason],
        );
        state.events.set(amendment!.id, {
          ...event,
          id: amendment!.id,
          summary: amended,
          secrets: [amended, reason],
          replies: [],
          amends: event.id,
        });
      }
    }
    return state;
  }

  it(
    `holds for ${RUNS} generated worlds`,
    async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(worldArbitrary, async (w) => {
          await runWorld(w);
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      process.stdout.write(
        `channel equivalence: ${worldCount} worlds in ${((Date.now() - started) / 1000).toFixed(1)} s; ${JSON.stringify(Object.fromEntries([...exercised].sort()))}\n`,
      );
    },
    propertyTimeout(300_000),
  );

  async function runWorld(w: WorldSpec): Promise<void> {
    const tag = `W${++worldCount}x${randomUUID().slice(0, 6)}`;
    const state = await insertWorld(w, tag);
    const n = state.users.length;
    const tokens: string[] = await Promise.all(state.users.map((u) => tokenFor(u)));
    const sockets: TestSocket[][] = state.users.map(() => []);
    /** Live notifications each user's sockets received, by seq. */
    const live: Map<number, ReceivedNotification>[] = state.users.map(() => new Map());
    /** The state in which each inbox row was decided: by user, the highest seq decided at each step. */
    const decidedIn: { upTo: number[]; state: RefState }[] = [];
    const highWater: number[] = state.users.map(() => 0);
    const allSecrets = () => [...state.events.values()].flatMap((e) => [...e.secrets, ...e.replies.map((r) => r.body)]);

    const openSocket = async (u: number) => {
      const socket = await connectSocket(app.url, tokens[u]);
      socket.socket.on('notification', (note: ReceivedNotification) => live[u]!.set(note.seq, note));
      sockets[u]!.push(socket);
    };
    /** Active users have a connected socket; a cut one is replaced, as a client reconnects. */
    const ensureSockets = async () => {
      await Promise.all(
        state.users.map(async (user, u) => {
          if (!user.active) return;
          if (sockets[u]!.some((s) => s.socket.connected)) return;
          tokens[u] = await tokenFor(user);
          await openSocket(u);
        }),
      );
    };
    const decisionState = (u: number, seq: number) => decidedIn.find((d) => seq <= d.upTo[u]!)?.state;

    try {
      await ensureSockets();

      // Step 0: the lead posts an injury to a baby of family 0, which raises a RED alert to the network.
      const [baby] = await sql<{ id: string }>(
        `INSERT INTO persons (given_name, family_name, date_of_birth, recorded_by_agency_id)
         VALUES ('Baby', $1, now()::date - 60, $2) RETURNING id`,
        [tag, state.agencies[0]],
      );
      await sql(`INSERT INTO family_memberships (family_id, person_id, role, added_by) VALUES ($1, $2, 'CHILD', $3)`, [
        state.families[0]!.id,
        baby!.id,
        state.users[0]!.id,
      ]);
      const injury = await post(0, 0, 'NETWORK', [], { kind: 'INJURY', severity: 'HIGH', subjectIds: [baby!.id] });
      expect(injury).toBeDefined();
      const [alert] = await sql<{ id: string }>(`SELECT id FROM alerts WHERE family_id = $1`, [state.families[0]!.id]);
      state.alert = alert ? { id: alert.id, family: 0 } : null;
      await settle(false);

      for (const step of w.steps) {
        await apply(step.change);
        await ensureSockets();
        await probe(step, step === w.steps.at(-1));
        await settle();
      }
      // Whatever else arrives before the sockets close is judged too.
      await settle(false);
    } finally {
      for (const list of sockets) for (const socket of list) socket.close();
    }

    async function post(
      u: number,
      f: number,
      visibility: Visibility,
      audienceUsers: number[],
      extra: Record<string, unknown> = {},
    ): Promise<string | undefined> {
      const summary = `${tag}-posted-${state.events.size + 1}`;
      const body = `${tag}-postedbody-${state.events.size + 1}`;
      const res = await gql(tokens[u]!, `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`, {
        input: {
          familyId: state.families[f]!.id,
          kind: 'NOTE',
          severity: 'INFO',
          occurredAt: new Date().toISOString(),
          summary,
          body,
          visibility,
          ...(visibility === 'RESTRICTED' ? { audienceUserIds: audienceUsers.map((x) => state.users[x]!.id) } : {}),
          ...extra,
        },
      });
      const id = (res.data as { postEvent?: { id: string } } | null)?.postEvent?.id;
      count(id ? 'post' : `post refused: ${JSON.stringify(res.errors?.[0]?.extensions?.code)}`);
      if (!id) return undefined;
      state.events.set(id, {
        id,
        family: f,
        author: u,
        agency: state.users[u]!.agency,
        visibility,
        audienceUsers: visibility === 'RESTRICTED' ? audienceUsers : [],
        audienceAgencies: [],
        summary,
        secrets: [summary, body],
        replies: [],
        amends: null,
      });
      return id;
    }

    async function apply(change: Change): Promise<void> {
      const f = 'family' in change ? change.family : 0;
      const familyId = state.families[f]!.id;
      const u = 'user' in change ? change.user : 0;
      const userId = state.users[u]!.id;
      const ok = (res: { errors?: unknown }) => {
        count(`${change.kind}${res.errors === undefined ? '' : ' refused'}`);
        return res.errors === undefined;
      };
      switch (change.kind) {
        case 'remove': {
          const res = await gql(
            tokens[0]!,
            `mutation ($f: ID!, $u: ID!) { removeNetworkMember(familyId: $f, userId: $u) }`,
            {
              f: familyId,
              u: userId,
            },
          );
          if (ok(res)) state.memberships.get(`${f}:${u}`)!.removed = true;
          return;
        }
        case 'expire': {
          const rows = await sql(
            `UPDATE network_members SET expires_at = now() - interval '1 second'
             WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING id`,
            [familyId, userId],
          );
          count(rows.length > 0 ? 'expire' : 'expire (no membership)');
          if (rows.length > 0) state.memberships.get(`${f}:${u}`)!.expired = true;
          return;
        }
        case 'roles': {
          const res = await gql(
            pam.accessToken,
            `mutation ($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id } }`,
            {
              u: userId,
              r: change.roles,
            },
          );
          if (ok(res)) state.users[u]!.roles = new Set(change.roles);
          // Whatever happened to the old session, the client logs in again; its old socket stays open.
          tokens[u] = await tokenFor(state.users[u]!);
          return;
        }
        case 'disable': {
          const res = await gql(pam.accessToken, `mutation ($u: ID!) { disableUser(userId: $u) { id } }`, {
            u: userId,
          });
          if (ok(res)) state.users[u]!.active = false;
          return;
        }
        case 'breakGlass': {
          const res = await gql(
            tokens[u]!,
            `mutation ($f: ID!, $r: String!) { requestBreakGlass(familyId: $f, reason: $r) { id } }`,
            { f: familyId, r: 'A child was brought in urgently tonight' },
          );
          const id = (res.data as { requestBreakGlass?: { id: string } } | null)?.requestBreakGlass?.id;
          count(id ? 'breakGlass' : `breakGlass refused: ${JSON.stringify(res.errors?.[0]?.extensions?.code)}`);
          if (id) state.grants.push({ id, user: u, family: f, inappropriate: false });
          return;
        }
        case 'reviewInappropriate': {
          const grant = state.grants.find((g) => !g.inappropriate);
          if (!grant) return;
          const res = await gql(
            auditorOfDemo.accessToken,
            `mutation ($id: ID!) { reviewAccessGrant(id: $id, outcome: INAPPROPRIATE, note: "No urgent need was recorded") { id } }`,
            { id: grant.id },
          );
          if (ok(res)) grant.inappropriate = true;
          return;
        }
        case 'sensitive': {
          const res = await gql(
            tokens[u]!,
            `mutation ($f: ID!) { setMyRoleSensitive(familyId: $f, sensitive: true, contactRoute: "Through the lead") { role } }`,
            { f: familyId },
          );
          if (ok(res)) state.memberships.get(`${f}:${u}`)!.sensitive = true;
          return;
        }
      }
    }

    async function probe(step: Step, last: boolean): Promise<void> {
      // Somebody who may post in the family posts; somebody replies to an event whose content they read.
      const posters = [step.poster, ...Array.from({ length: n }, (_, i) => i)].filter(
        (u) => Rules.caseWorker(state, u) && Rules.member(state, u, step.family),
      );
      if (posters[0] !== undefined) await post(posters[0], step.family, step.visibility, [step.audienceUser]);
      const repliers = [step.replier, ...Array.from({ length: n }, (_, i) => i)].filter((u) =>
        Rules.caseWorker(state, u),
      );
      // A reply to the most restricted event the replier may read: the doorbell with the narrowest audience.
      const rank = { RESTRICTED: 0, AGENCY: 1, NETWORK: 2 } as const;
      for (const u of repliers) {
        const event = [...state.events.values()]
          .filter((e) => Rules.member(state, u, e.family) && Rules.readsContent(state, u, e) && e.amends === null)
          .sort((a, b) => rank[a.visibility] - rank[b.visibility])[0];
        if (!event) continue;
        const body = `${tag}-replied-${event.replies.length + 1}-${event.id.slice(0, 4)}`;
        const res = await gql(
          tokens[u]!,
          `mutation ($e: ID!, $b: String!) { replyToEvent(eventId: $e, body: $b) { id } }`,
          {
            e: event.id,
            b: body,
          },
        );
        const id = (res.data as { replyToEvent?: { id: string } } | null)?.replyToEvent?.id;
        count(id ? 'reply' : `reply refused: ${JSON.stringify(res.errors?.[0]?.extensions?.code)}`);
        if (id) event.replies.push({ id, author: u, body });
        break;
      }
      // The lead acknowledges the alert (by the last step at the latest), after whatever changed.
      if ((step.acknowledge || last) && state.alert) {
        await gql(tokens[0]!, `mutation ($id: ID!) { acknowledgeAlert(id: $id) { id } }`, { id: state.alert.id });
      }
    }

    /** Record what was decided in this step, wait for what must arrive live, and judge every channel. */
    async function settle(judge = true): Promise<void> {
      const snapshot = clone(state);
      const rows = await sql<InboxRow>(
        `SELECT user_id, seq, type, family_id, event_id, alert_id FROM notifications WHERE user_id = ANY($1) ORDER BY user_id, seq`,
        [state.users.map((u) => u.id)],
      );
      const byUser = state.users.map((user) => rows.filter((r) => r.user_id === user.id));
      const upTo = byUser.map((list, u) => Math.max(highWater[u]!, ...list.map((r) => r.seq)));
      decidedIn.push({ upTo, state: snapshot });

      // Every row decided now is allowed now; those a user may see must also ring their socket.
      await Promise.all(
        state.users.map(async (_user, u) => {
          const fresh = byUser[u]!.filter((r) => r.seq > highWater[u]!);
          for (const row of fresh) {
            count(`told ${row.type}`);
            expect([tag, u, row.type, Rules.mayBeTold(snapshot, u, notice(row))]).toEqual([tag, u, row.type, true]);
          }
          const expected = fresh.map((r) => r.seq);
          if (expected.length > 0 && sockets[u]!.some((s) => s.socket.connected)) {
            const last = Math.max(...expected);
            await waitFor(() => live[u]!.has(last), `${tag}: user ${u} to receive seq ${last} live`);
          }
          highWater[u] = upTo[u]!;
        }),
      );

      // Live pushes: each was allowed in the state it was decided in.
      for (const [u, received] of live.entries()) {
        for (const note of received.values()) {
          const decided = decisionState(u, note.seq);
          expect([tag, u, note.type, decided !== undefined && Rules.mayBeTold(decided, u, note)]).toEqual([
            tag,
            u,
            note.type,
            true,
          ]);
        }
      }

      if (judge) await Promise.all(state.users.map((_user, u) => judgeUser(u, snapshot, byUser[u]!)));
    }

    /** The inbox, resume and direct reads of one user, against the rules now. */
    async function judgeUser(u: number, now: RefState, rows: InboxRow[]): Promise<void> {
      const user = now.users[u]!;
      const token = tokens[u]!;
      if (!user.active) {
        const res = await gql(token, `{ me { id } }`);
        expect([tag, u, res.errors?.[0]?.extensions?.code]).toEqual([tag, u, 'UNAUTHENTICATED']);
        return;
      }
      // What the user may still be shown of their inbox: decided lawfully, and allowed now.
      const shown = rows.filter((r) => {
        const decided = decisionState(u, r.seq);
        return decided !== undefined && Rules.mayBeTold(decided, u, notice(r)) && Rules.mayBeTold(now, u, notice(r));
      });
      const judge = (
        channel: string,
        list: { seq: number; type: string; familyId: string | null; eventId?: string | null }[],
      ) => {
        for (const note of list) {
          const decided = decisionState(u, note.seq);
          const lawful = decided !== undefined && Rules.mayBeTold(decided, u, note) && Rules.mayBeTold(now, u, note);
          expect([tag, u, channel, note.type, lawful]).toEqual([tag, u, channel, note.type, true]);
        }
        expect([tag, u, channel, list.map((x) => x.seq).sort((a, b) => a - b)]).toEqual([
          tag,
          u,
          channel,
          shown.map((r) => r.seq),
        ]);
      };

      const inboxRead = async () => {
        const inbox = await gql(
          token,
          `{ notifications(afterSeq: 0, first: 100) { seq type familyId eventId alertId } }`,
        );
        expect(inbox.errors).toBeUndefined();
        judge('notifications', (inbox.data as { notifications: ReceivedNotification[] }).notifications);
      };
      const resume = async () => {
        const replay = await connectSocket(app.url, token);
        try {
          const ack = (await replay.socket.emitWithAck('resume', { afterSeq: 0 })) as { ok: boolean };
          expect(ack.ok).toBe(true);
          judge('resume', [...new Map(replay.received.map((x) => [x.seq, x])).values()]);
        } finally {
          replay.close();
        }
      };
      await Promise.all([
        inboxRead(),
        resume(),
        ...now.families.map((family, f) => judgeReads(u, f, family.id, now, token)),
        ...(Rules.auditor(now, u) ? now.families.map((family) => judgeAudit(token, family.id)) : []),
      ]);
    }

    /** The audit trail of a family and its export, as an auditor reads them: no case text. */
    async function judgeAudit(token: string, familyId: string): Promise<void> {
      const csv = await fetch(`${app.url}/audit/export.csv?familyId=${familyId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(csv.status).toBe(200);
      const text = await csv.text();
      // The injury posted in family 0 is in its trail: the export is not empty for want of access.
      if (familyId === state.families[0]!.id) expect(text).toContain(familyId);
      for (const secret of allSecrets()) expect([tag, 'csv', text.includes(secret)]).toEqual([tag, 'csv', false]);
      const page = await gql(
        token,
        `query ($f: ID!) { auditEntries(filter: { familyId: $f }, first: 40) { edges { node { reason detail subjectId } } } }`,
        { f: familyId },
      );
      expect(page.errors).toBeUndefined();
      const entries = JSON.stringify(page.data);
      for (const secret of allSecrets())
        expect([tag, 'auditEntries', entries.includes(secret)]).toEqual([tag, 'auditEntries', false]);
    }

    async function judgeReads(u: number, f: number, familyId: string, now: RefState, token: string): Promise<void> {
      const CARD = 'userId displayName phone email contactRoute agency { id }';
      const res = await gql(
        token,
        `query ($f: ID!) {
           family(id: $f) { id lead { ${CARD} } members { user { ${CARD} } } }
           timeline(familyId: $f, first: 15) { edges { node {
             id redacted summary body amendmentReason agency { id } author { ${CARD} }
             replies { id body author { ${CARD} } }
             amends { id summary redacted }
           } } }
         }`,
        { f: familyId },
      );
      const relates = Rules.relates(now, u, f);
      if (!relates) {
        expect([tag, u, f, res.errors?.[0]?.extensions?.code, res.data ?? null]).toEqual([
          tag,
          u,
          f,
          'NOT_FOUND',
          null,
        ]);
        return;
      }
      expect([tag, u, f, res.errors]).toEqual([tag, u, f, undefined]);
      const data = res.data as {
        family: { lead: Card; members: { user: Card }[] };
        timeline: {
          edges: {
            node: {
              id: string;
              redacted: boolean;
              summary: string | null;
              body: string | null;
              amendmentReason: string | null;
              agency: { id: string } | null;
              author: Card;
              replies: { id: string; body: string; author: Card }[];
              amends: { id: string; summary: string | null; redacted: boolean } | null;
            };
          }[];
        };
      };
      const familyEvents = [...now.events.values()].filter((e) => e.family === f);
      // Existence without content: every event of the family is listed.
      expect([tag, u, f, data.timeline.edges.map((e) => e.node.id).sort()]).toEqual([
        tag,
        u,
        f,
        familyEvents.map((e) => e.id).sort(),
      ]);
      for (const { node } of data.timeline.edges) {
        const event = now.events.get(node.id)!;
        const content = Rules.readsContent(now, u, event);
        const shownContent = [node.summary, node.body, node.amendmentReason, ...node.replies.map((r) => r.body)].filter(
          (x) => x !== null,
        );
        if (!content) {
          expect([tag, u, node.id, shownContent]).toEqual([tag, u, node.id, []]);
        } else {
          expect([tag, u, node.id, node.summary]).toEqual([tag, u, node.id, event.summary]);
        }
        if (node.amends && !Rules.readsContent(now, u, now.events.get(node.amends.id)!)) {
          expect([tag, u, node.amends.id, node.amends.summary]).toEqual([tag, u, node.amends.id, null]);
        }
        // A sensitive author is unidentifiable to another agency: no agency, a masked card.
        const cards = [
          { card: node.author, who: event.author },
          ...node.replies.map((r) => ({ card: r.author, who: event.replies.find((x) => x.id === r.id)?.author })),
        ];
        for (const { card, who } of cards) {
          if (who === undefined || !Rules.masked(now, u, f, who)) continue;
          expectMasked(card, who);
          if (card === node.author) expect([tag, node.id, node.agency]).toEqual([tag, node.id, null]);
        }
      }
      const sensitiveOthers = [...now.memberships.entries()]
        .filter(([k]) => k.startsWith(`${f}:`))
        .map(([k]) => Number(k.split(':')[1]))
        .filter((m) => Rules.masked(now, u, f, m));
      for (const m of sensitiveOthers) {
        const text = JSON.stringify(data);
        const member = now.users[m]!;
        for (const identifying of [member.id, member.name, member.email, member.phone])
          expect([tag, u, f, 'identifies a sensitive member', text.includes(identifying)]).toEqual([
            tag,
            u,
            f,
            'identifies a sensitive member',
            false,
          ]);
      }
      // No card anywhere carries the user id of someone masked here.
      const realIds = new Set(now.users.map((x) => x.id));
      for (const card of [data.family.lead, ...data.family.members.map((m) => m.user)]) {
        if (card.displayName === 'A practitioner') expect(realIds.has(card.userId)).toBe(false);
      }
    }

    function expectMasked(card: Card, who: number): void {
      expect([tag, card.displayName, card.phone, card.email, card.agency]).toEqual([
        tag,
        'A practitioner',
        null,
        null,
        null,
      ]);
      expect(card.userId).not.toBe(state.users[who]!.id);
    }

    function notice(row: InboxRow) {
      return { type: row.type, familyId: row.family_id, eventId: row.event_id };
    }
  }
});

interface Card {
  userId: string;
  displayName: string;
  phone: string | null;
  email: string | null;
  contactRoute: string | null;
  agency: { id: string } | null;
}

function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return eventually(() => Promise.resolve(check()), { what, timeoutMs, intervalMs: 5 });
}
