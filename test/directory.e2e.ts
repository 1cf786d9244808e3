import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { errorCode } from '@hearth/testing';
import { demoWorld, query, type DemoUser } from './support/demo.js';
import type { Session } from './support/session.js';
import { login } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// Sized for a loaded 2-core machine: every test signs in (argon2id) several times.
jest.setTimeout(120_000);

const DIRECTORY = `query ($search: String!, $agencyId: ID, $role: Role) {
  directory(search: $search, agencyId: $agencyId, role: $role) {
    userId displayName jobTitle email contactRoute roles agency { name kind }
  }
}`;

interface Entry {
  userId: string;
  displayName: string;
  email: string;
  roles: string[];
  agency: { name: string; kind: string };
}

describe('the practitioners’ directory', () => {
  let app: TestApp;
  let demo: Record<DemoUser, Session>;
  let families: Record<string, string>;

  beforeAll(async () => {
    app = await startTestApp();
    ({ sessions: demo, families } = await demoWorld(app));
  });
  afterAll(async () => {
    await app.close();
  });

  const search = (who: Session, variables: Record<string, unknown>) =>
    app.gql<{ directory: Entry[] }>({ query: DIRECTORY, variables, token: who.accessToken });
  const emails = async (who: Session, variables: Record<string, unknown>) => {
    const res = await search(who, variables);
    expect(res.errors).toBeUndefined();
    return res.data!.directory.map((e) => e.email);
  };

  it('finds active practitioners and managers of every agency by name or agency, as contact cards', async () => {
    const sam = demo['sam.social'];
    expect(await emails(sam, { search: 'reid' })).toEqual(['pat.police@demo.hearth']);
    const police = await emails(sam, { search: 'Northshire Police' });
    // The police's agency admin is not a practitioner: not in the directory.
    expect(police).toEqual(['pat.police@demo.hearth']);
    expect(await emails(sam, { search: 'Northshire', role: 'MANAGER' })).toEqual(['mia.manager@demo.hearth']);
    const health = (await search(sam, { search: 'hal' })).data!.directory;
    expect(health).toEqual([
      {
        userId: demo['hal.health'].userId,
        displayName: 'Hal Ahmed',
        jobTitle: expect.anything() as unknown,
        email: 'hal.health@demo.hearth',
        contactRoute: null,
        roles: ['PRACTITIONER'],
        agency: { name: 'Northshire Health Trust', kind: 'HEALTH' },
      },
    ]);
    for (const who of ['ada.admin', 'aud.auditor', 'pam.partner'] as const) {
      expect(await emails(sam, { search: who.split('.')[0]! })).toEqual([]);
    }
  });

  it('is for practitioners and managers only, and names the field at fault', async () => {
    expect(errorCode(await search(demo['ada.admin'], { search: 'reid' }))).toBe('FORBIDDEN');
    expect(errorCode(await search(demo['aud.auditor'], { search: 'reid' }))).toBe('FORBIDDEN');
    expect(await emails(demo['mia.manager'], { search: 'reid' })).toEqual(['pat.police@demo.hearth']);
    for (const [variables, field] of [
      [{ search: 'r' }, 'search'],
      [{ search: 'x'.repeat(101) }, 'search'],
      [{ search: 'reid', role: 'AUDITOR' }, 'role'],
      [{ search: 'reid', agencyId: 'not-an-id' }, 'agencyId'],
    ] as const) {
      const res = await search(demo['sam.social'], variables);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.field).toBe(field);
    }
    // A wildcard typed is a character, not a pattern.
    expect(await emails(demo['sam.social'], { search: '%%' })).toEqual([]);
  });

  it('never lists a disabled account', async () => {
    const { createUser } = await app.gqlData<{ createUser: { id: string } }>({
      query: `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      variables: {
        input: {
          email: 'leaving.officer@police.test',
          displayName: 'Lee Leaving',
          roles: ['PRACTITIONER'],
          password: 'a-long-initial-password',
        },
      },
      token: demo['ada.admin'].accessToken,
    });
    expect(await emails(demo['sam.social'], { search: 'Lee Leaving' })).toEqual(['leaving.officer@police.test']);
    await app.gqlData({
      query: `mutation ($u: ID!) { disableUser(userId: $u) { id } }`,
      variables: { u: createUser.id },
      token: demo['ada.admin'].accessToken,
    });
    expect(await emails(demo['sam.social'], { search: 'Lee Leaving' })).toEqual([]);
  });

  it('never lists a member with a sensitive role to another agency; their own agency still finds them', async () => {
    const { createUser: colleague } = await app.gqlData<{ createUser: { id: string } }>({
      query: `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      variables: {
        input: {
          email: 'hana.health@health.test',
          displayName: 'Hana Health',
          roles: ['PRACTITIONER'],
          password: 'a-long-initial-password',
          agencyId: demo['hal.health'].agencyId,
        },
      },
      token: demo['pam.partner'].accessToken,
    });
    const hana = await login(app.url, 'hana.health@health.test', 'a-long-initial-password');
    expect(hana.userId).toBe(colleague.id);
    expect(await emails(demo['pat.police'], { search: 'Hal Ahmed' })).toEqual(['hal.health@demo.hearth']);

    await app.gqlData({
      query: `mutation ($f: ID!) { setMyRoleSensitive(familyId: $f, sensitive: true, contactRoute: "Via the trust's safeguarding desk") { role } }`,
      variables: { f: families['NS-2026-0142'] },
      token: demo['hal.health'].accessToken,
    });
    expect(await emails(demo['pat.police'], { search: 'Hal Ahmed' })).toEqual([]);
    expect(await emails(demo['pat.police'], { search: 'Northshire Health Trust' })).toEqual([
      'hana.health@health.test',
    ]);
    expect(await emails(hana, { search: 'Hal Ahmed' })).toEqual(['hal.health@demo.hearth']);
  });

  it('audits each search with its results, not the text typed', async () => {
    const sam = demo['sam.social'];
    await emails(sam, { search: 'Reid' });
    const { rows } = await query<{ detail: { ids: string[] }; row: string }>(
      app,
      `SELECT detail, e::text AS row FROM audit_entries e
       WHERE actor_id = $1 AND subject_type = 'DirectorySearch' ORDER BY at DESC LIMIT 1`,
      [sam.userId],
    );
    expect(rows[0]?.detail.ids).toEqual([demo['pat.police'].userId]);
    expect(rows[0]?.row.toLowerCase()).not.toContain('reid');
  });

  it('limits searches per user, atomically: of 40 at once, exactly 30 run', async () => {
    const dee = demo['dee.school'];
    const results = await Promise.all(Array.from({ length: 40 }, () => search(dee, { search: 'Northshire' })));
    const outcomes = results.map((r) => errorCode(r) ?? 'OK');
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(30);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(10);
    // Another user is not held back by dee's searches.
    expect(await emails(demo['hal.health'], { search: 'reid' })).toEqual(['pat.police@demo.hearth']);
  });
});
