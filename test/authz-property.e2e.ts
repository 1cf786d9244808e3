import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { abilityToSql, allows, defineAbility, Role, type CaseAction, type Principal } from '@hearth/authz';
import { dataSourceOptions } from '@hearth/database';
import { AccessService, RelationshipRepository, FAMILY_FIELDS } from '@hearth/network';
import { EVENT_FIELDS } from '@hearth/timeline';
import { createTestDatabase, type TestDatabase } from '@hearth/testing';
import { propertyRuns, propertyTimeout } from './support/property.js';

/**
 * Over generated users, families, memberships and events, the rows the SQL filter returns are
 * exactly the rows `ability.can()` allows, for lists, counts and nested fields; and both agree
 * with the plain-language rules of PRODUCT.md.
 */
type Access = 'none' | 'member' | 'lead' | 'removed' | 'expired' | 'granted' | 'grant-expired';
const ACCESS: Access[] = ['none', 'member', 'lead', 'removed', 'expired', 'granted', 'grant-expired'];
const VISIBILITIES = ['NETWORK', 'AGENCY', 'RESTRICTED'] as const;

interface World {
  agencies: number;
  users: { agency: number; roles: Role[] }[];
  families: { access: Access[] }[];
  events: {
    family: number;
    author: number;
    agency: number;
    visibility: (typeof VISIBILITIES)[number];
    audienceUsers: number[];
    audienceAgencies: number[];
  }[];
}

const world: fc.Arbitrary<World> = fc
  .record({
    agencies: fc.integer({ min: 1, max: 3 }),
    userCount: fc.integer({ min: 1, max: 4 }),
    familyCount: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ agencies, userCount, familyCount }) =>
    fc.record({
      agencies: fc.constant(agencies),
      users: fc.array(
        fc.record({
          agency: fc.nat(agencies - 1),
          roles: fc.subarray([Role.PRACTITIONER, Role.MANAGER, Role.AGENCY_ADMIN, Role.AUDITOR], { minLength: 1 }),
        }),
        { minLength: userCount, maxLength: userCount },
      ),
      families: fc.array(
        fc.record({ access: fc.array(fc.constantFrom(...ACCESS), { minLength: userCount, maxLength: userCount }) }),
        {
          minLength: familyCount,
          maxLength: familyCount,
        },
      ),
      events: fc.array(
        fc.record({
          family: fc.nat(familyCount - 1),
          author: fc.nat(userCount - 1),
          agency: fc.nat(agencies - 1),
          visibility: fc.constantFrom(...VISIBILITIES),
          audienceUsers: fc.uniqueArray(fc.nat(userCount - 1), { maxLength: 2 }),
          audienceAgencies: fc.uniqueArray(fc.nat(agencies - 1), { maxLength: 2 }),
        }),
        { maxLength: 12 },
      ),
    }),
  );

describe('the SQL filter and the ability agree', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let access: AccessService;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions(database.url, [], 4));
    await dataSource.initialize();
    access = new AccessService(dataSource, new RelationshipRepository());
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it(
    'for every generated world',
    async () => {
      await fc.assert(
        fc.asyncProperty(world, async (w) => {
          const ids = await insert(dataSource, w);
          for (const [u, user] of w.users.entries()) {
            const principal: Principal = {
              userId: ids.users[u]!,
              agencyId: ids.agencies[user.agency]!,
              roles: user.roles,
              sessionId: 'property',
            };
            const ability = defineAbility(await access.facts(principal, dataSource.manager));
            const caseWorker = user.roles.includes(Role.PRACTITIONER) || user.roles.includes(Role.MANAGER);

            // Families: list and count.
            const familyFilter = abilityToSql(ability, 'read', 'Family', FAMILY_FIELDS, 2);
            const familyRows: { id: string }[] = await dataSource.query(
              `SELECT f.id FROM families f WHERE f.id = ANY($1) AND ${familyFilter.sql}`,
              [ids.families, ...familyFilter.params],
            );
            const familyExpected = w.families
              .map((f, i) => ({ f, id: ids.families[i]! }))
              .filter(({ id }) => allows(ability, 'read', 'Family', { id }));
            expect(new Set(familyRows.map((r) => r.id))).toEqual(new Set(familyExpected.map((x) => x.id)));
            const oracleFamilies = w.families
              .map((f, i) => ({ f, id: ids.families[i]! }))
              .filter(({ f }) => caseWorker && readsFamily(f.access[u]!));
            expect(new Set(familyExpected.map((x) => x.id))).toEqual(new Set(oracleFamilies.map((x) => x.id)));

            for (const action of ['read', 'readContent', 'post', 'reply'] as CaseAction[]) {
              const filter = abilityToSql(ability, action, 'TimelineEvent', EVENT_FIELDS, 2);
              const rows: { id: string }[] = await dataSource.query(
                `SELECT e.id FROM timeline_events e WHERE e.id = ANY($1) AND ${filter.sql}`,
                [ids.events, ...filter.params],
              );
              const count: { n: number }[] = await dataSource.query(
                `SELECT count(*)::int AS n FROM timeline_events e WHERE e.id = ANY($1) AND ${filter.sql}`,
                [ids.events, ...filter.params],
              );
              const expected = w.events
                .map((e, i) => ({ e, id: ids.events[i]! }))
                .filter(({ e, id }) =>
                  allows(ability, action, 'TimelineEvent', {
                    id,
                    familyId: ids.families[e.family]!,
                    visibility: e.visibility,
                    agencyId: ids.agencies[e.agency]!,
                    authorId: ids.users[e.author]!,
                    audienceUserIds: e.audienceUsers.map((x) => ids.users[x]!),
                    audienceAgencyIds: e.audienceAgencies.map((x) => ids.agencies[x]!),
                  }),
                );
              expect(new Set(rows.map((r) => r.id))).toEqual(new Set(expected.map((x) => x.id)));
              expect(count[0]!.n).toBe(expected.length);
              if (action === 'readContent') {
                const oracle = w.events
                  .map((e, i) => ({ e, id: ids.events[i]! }))
                  .filter(
                    ({ e }) =>
                      caseWorker && readsFamily(w.families[e.family]!.access[u]!) && inAudience(e, u, user.agency),
                  );
                expect(new Set(expected.map((x) => x.id))).toEqual(new Set(oracle.map((x) => x.id)));
              }
            }

            // A nested path: the subjects of visible events are the persons the Person filter allows.
            const personFilter = abilityToSql(
              ability,
              'read',
              'Person',
              { familyId: { sql: 'fm.family_id', type: 'uuid' } },
              2,
            );
            const persons: { id: string }[] = await dataSource.query(
              `SELECT p.id FROM family_memberships fm JOIN persons p ON p.id = fm.person_id WHERE fm.family_id = ANY($1) AND ${personFilter.sql}`,
              [ids.families, ...personFilter.params],
            );
            expect(new Set(persons.map((p) => p.id))).toEqual(
              new Set(familyExpected.map((x) => ids.persons[ids.families.indexOf(x.id)]!)),
            );
          }
        }),
        { numRuns: propertyRuns(25) },
      );
    },
    propertyTimeout(60_000),
  );
});

function readsFamily(access: Access): boolean {
  return access === 'member' || access === 'lead' || access === 'granted';
}

function inAudience(e: World['events'][number], user: number, agency: number): boolean {
  return (
    e.visibility === 'NETWORK' ||
    (e.visibility === 'AGENCY' && e.agency === agency) ||
    e.audienceUsers.includes(user) ||
    e.audienceAgencies.includes(agency) ||
    e.author === user
  );
}

async function insert(dataSource: DataSource, w: World) {
  const run = `p${randomUUID().slice(0, 8)}`;
  const q = (sql: string, params: unknown[]) => dataSource.query<{ id: string }[]>(sql, params);
  const agencies: string[] = [];
  for (let i = 0; i < w.agencies; i++)
    agencies.push(
      (await q(`INSERT INTO agencies (name, kind) VALUES ($1, 'OTHER') RETURNING id`, [`${run}-agency-${i}`]))[0]!.id,
    );
  const users: string[] = [];
  for (const [i, u] of w.users.entries()) {
    users.push(
      (
        await q(`INSERT INTO users (agency_id, email, display_name, roles) VALUES ($1, $2, 'P', $3) RETURNING id`, [
          agencies[u.agency],
          `${run}-${i}@property.test`,
          u.roles,
        ])
      )[0]!.id,
    );
  }
  const families: string[] = [];
  const persons: string[] = [];
  for (const [i, f] of w.families.entries()) {
    const id = (
      await q(`INSERT INTO families (reference, lead_user_id, created_by) VALUES ($1, $2, $2) RETURNING id`, [
        `${run}-family-${i}`,
        users[0],
      ])
    )[0]!.id;
    families.push(id);
    const person = (
      await q(
        `INSERT INTO persons (given_name, family_name, recorded_by_agency_id) VALUES ('A', 'Child', $1) RETURNING id`,
        [agencies[0]],
      )
    )[0]!.id;
    persons.push(person);
    await q(
      `INSERT INTO family_memberships (family_id, person_id, role, added_by) VALUES ($1, $2, 'CHILD', $3) RETURNING family_id AS id`,
      [id, person, users[0]],
    );
    for (const [u, state] of f.access.entries()) {
      if (state === 'member' || state === 'lead' || state === 'removed' || state === 'expired') {
        await q(
          `INSERT INTO network_members (family_id, user_id, role, added_by, expires_at, removed_at)
           VALUES ($1, $2, $3, $2, CASE WHEN $4 THEN now() - interval '1 minute' END, CASE WHEN $5 THEN now() END) RETURNING id`,
          [id, users[u], state === 'lead' ? 'LEAD' : 'MEMBER', state === 'expired', state === 'removed'],
        );
      }
      if (state === 'granted' || state === 'grant-expired') {
        await q(
          `INSERT INTO access_grants (family_id, user_id, reason, expires_at) VALUES ($1, $2, 'property', now() + CASE WHEN $3 THEN interval '1 hour' ELSE interval '-1 minute' END) RETURNING id`,
          [id, users[u], state === 'granted'],
        );
      }
    }
  }
  const events: string[] = [];
  for (const e of w.events) {
    events.push(
      (
        await q(
          `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility, audience_user_ids, audience_agency_ids, summary)
           VALUES ($1, 'NOTE', 'LOW', now(), $2, $3, $4, $5, $6, 'generated') RETURNING id`,
          [
            families[e.family],
            agencies[e.agency],
            users[e.author],
            e.visibility,
            e.audienceUsers.map((x) => users[x]),
            e.audienceAgencies.map((x) => agencies[x]),
          ],
        )
      )[0]!.id,
    );
  }
  return { agencies, users, families, persons, events };
}
