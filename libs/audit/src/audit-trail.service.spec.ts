import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Role, type Principal } from '@hearth/authz';
import { HearthError } from '@hearth/errors';
import { createTestDataSource, sealAll, type TestDataSource } from '@hearth/testing';
import { AuditAction, AuditOutcome } from './audit-action.js';
import type { AuditEntryInput } from './audit-entry.js';
import { AuditLog } from './audit-log.service.js';
import { AuditTrailService, CSV_COLUMNS } from './audit-trail.service.js';
import { AuditVerifier } from './audit-verifier.service.js';
import { AuditRepository } from './audit.repository.js';
import { AuditSealer } from './audit-sealer.service.js';

const auditLog = new AuditLog();
const auditor: Principal = { userId: randomUUID(), agencyId: randomUUID(), roles: [Role.AUDITOR], sessionId: 's1' };
const practitioner: Principal = {
  userId: randomUUID(),
  agencyId: randomUUID(),
  roles: [Role.PRACTITIONER, Role.MANAGER],
  sessionId: 's2',
};
const police = { userId: randomUUID(), agencyId: randomUUID(), roles: [Role.PRACTITIONER] };
const familyA = randomUUID();
const familyB = randomUUID();
const child = randomUUID();

let db: TestDataSource;
let trail: AuditTrailService;

async function record(entry: AuditEntryInput): Promise<{ id: string; at: Date }> {
  return db.dataSource.transaction((m) => auditLog.record(m, entry));
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; field: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HearthError) return { code: error.code, field: error.field };
    throw error;
  }
  throw new Error('expected a refusal');
}

/** Every page of a filter, following endCursor. */
async function allPages(filter: Record<string, unknown>, first = 7): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await trail.list(auditor, filter, { first, after });
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

async function exported(filter: Record<string, string>): Promise<string[][]> {
  let text = '';
  for await (const chunk of await trail.exportCsv(auditor, filter)) text += chunk;
  return parseCsv(text);
}

/** RFC 4180, strictly: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  while (i < text.length) {
    if (text[i] === '"' && cell === '') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error('unterminated quote');
        cell += text.slice(i, quote);
        i = quote + 1;
        if (text[i] !== '"') break;
        cell += '"';
        i++;
      }
    } else if (text[i] === ',') {
      endCell();
      i++;
    } else if (text.startsWith('\r\n', i)) {
      endCell();
      rows.push(row);
      row = [];
      i += 2;
    } else if (text[i] === '\n' || text[i] === '\r') {
      throw new Error(`bare line break at ${i}`);
    } else {
      cell += text[i++];
    }
  }
  if (cell !== '' || row.length) throw new Error('last record not ended by CRLF');
  return rows;
}

beforeAll(async () => {
  db = await createTestDataSource();
  trail = new AuditTrailService(db.dataSource, auditLog, new AuditVerifier(db.dataSource), new AuditRepository());
  await record({ action: AuditAction.LOGIN, actor: practitioner });
  await record({
    action: AuditAction.LOGIN_FAILED,
    outcome: AuditOutcome.DENIED,
    actor: null,
    detail: { email: 'x@y.z' },
  });
  for (let i = 0; i < 20; i++) {
    await record({
      action: AuditAction.READ,
      actor: i % 2 ? practitioner : police,
      subjectType: 'Person',
      subjectId: child,
      familyId: i < 15 ? familyA : familyB,
      personId: i % 3 ? child : null,
    });
  }
  await record({
    action: AuditAction.DENIED,
    outcome: AuditOutcome.DENIED,
    actor: police,
    familyId: familyA,
    reason: 'not a member',
  });
});
afterAll(() => db.close());

describe('AuditTrailService.list', () => {
  it('is for auditors only', async () => {
    expect(await refusal(trail.list(practitioner, {}, {}))).toEqual({ code: 'FORBIDDEN', field: undefined });
    expect(await refusal(trail.integrity(practitioner))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(trail.exportCsv(practitioner, {}))).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers "who accessed this child" newest first, in keyset pages without gaps or repeats', async () => {
    const expected = await db.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM audit_entries WHERE person_id = $1 ORDER BY at DESC, id DESC`,
      [child],
    );
    const ids = await allPages({ personId: child }, 3);
    expect(ids).toEqual(expected.map((r) => r.id));
    expect(ids.length).toBe(13);
  });

  it('filters by actor, agency, family, action, outcome and time', async () => {
    const count = async (filter: Record<string, unknown>) => (await allPages(filter, 100)).length;
    expect(await count({ actorId: police.userId })).toBe(11);
    expect(await count({ agencyId: practitioner.agencyId })).toBe(11);
    expect(await count({ familyId: familyA })).toBe(16);
    expect(await count({ familyId: familyA, actorId: police.userId, action: AuditAction.READ })).toBe(8);
    expect(await count({ outcome: AuditOutcome.DENIED, familyId: familyA })).toBe(1);
    expect(await count({ action: AuditAction.LOGIN_FAILED })).toBe(1);

    const times = await db.dataSource.query<Array<{ at: Date }>>(
      `SELECT at FROM audit_entries WHERE family_id = $1 ORDER BY at, id`,
      [familyB],
    );
    const from = times[1]!.at;
    const to = times[4]!.at;
    const inRange = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*) AS n FROM audit_entries WHERE family_id = $1 AND at >= $2 AND at < $3`,
      [familyB, from, to],
    );
    expect(await count({ familyId: familyB, from, to })).toBe(inRange[0]!.n);
    expect(await count({ familyId: familyB, from: to, to })).toBe(0);
  });

  it('shows identifiers and metadata, and records the auditor’s own read', async () => {
    const page = await trail.list(auditor, { outcome: AuditOutcome.DENIED, familyId: familyA }, { first: 5 });
    expect(page.edges[0]?.node).toMatchObject({
      action: AuditAction.DENIED,
      outcome: AuditOutcome.DENIED,
      actorId: police.userId,
      agencyId: police.agencyId,
      actorRoles: [Role.PRACTITIONER],
      familyId: familyA,
      reason: 'not a member',
    });
    const [own] = await db.dataSource.query<Array<{ action: string; subject_type: string; detail: unknown }>>(
      `SELECT action, subject_type, detail FROM audit_entries WHERE actor_id = $1 ORDER BY at DESC LIMIT 1`,
      [auditor.userId],
    );
    expect(own).toEqual({
      action: 'READ',
      subject_type: 'AuditEntry',
      detail: { filter: { outcome: 'DENIED', familyId: familyA }, ids: [page.edges[0]?.node.id], count: 1 },
    });
  });

  it('refuses a bad filter or cursor with BAD_USER_INPUT naming the field', async () => {
    expect(await refusal(trail.list(auditor, { actorId: 'nobody' }, {}))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'actorId',
    });
    expect(await refusal(trail.list(auditor, { action: 'DROP' }, {}))).toMatchObject({ field: 'action' });
    expect(await refusal(trail.list(auditor, { from: new Date(2000), to: new Date(1000) }, {}))).toMatchObject({
      field: 'to',
    });
    expect(await refusal(trail.list(auditor, { from: new Date(NaN) }, {}))).toMatchObject({ field: 'from' });
    expect(await refusal(trail.list(auditor, { subjectType: 'x' }, {}))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await refusal(trail.list(auditor, {}, { after: 'not-a-cursor' }))).toMatchObject({ field: 'after' });
    const forged = Buffer.from(JSON.stringify(['yesterday', "'; DROP TABLE x"])).toString('base64url');
    expect(await refusal(trail.list(auditor, {}, { after: forged }))).toMatchObject({ field: 'after' });
    expect(await refusal(trail.list(auditor, {}, { first: 1000 }))).toMatchObject({ field: 'first' });
  });

  it('reports the chain’s integrity, and records that it was asked', async () => {
    await sealAll(new AuditSealer(db.dataSource), db.dataSource);
    const report = await trail.integrity(auditor);
    expect(report).toMatchObject({ verified: true, firstBrokenEntryId: null });
    expect(report.entries).toBeGreaterThan(20);
    const [own] = await db.dataSource.query<Array<{ subject_type: string }>>(
      `SELECT subject_type FROM audit_entries WHERE actor_id = $1 ORDER BY at DESC LIMIT 1`,
      [auditor.userId],
    );
    expect(own?.subject_type).toBe('AuditIntegrity');
  });
});

describe('AuditTrailService.exportCsv', () => {
  it('exports exactly the entries the query returns, across export batches', async () => {
    const familyC = randomUUID();
    await db.dataSource.query(
      `INSERT INTO audit_entries (action, actor_id, family_id, subject_type)
       SELECT 'READ', $1, $2, 'TimelineEvent' FROM generate_series(1, 2300)`,
      [police.userId, familyC],
    );
    const queried = await allPages({ familyId: familyC }, 100);
    const rows = await exported({ familyId: familyC });
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(queried);
    expect(queried).toHaveLength(2300);

    const small = { actorId: police.userId, familyId: familyA, action: 'READ' };
    expect((await exported(small)).slice(1).map((r) => r[0])).toEqual(await allPages(small));
  });

  it('keeps free text in one cell and neutralises what a spreadsheet would run', async () => {
    const familyD = randomUUID();
    const texts = [
      '=HYPERLINK("http://evil.example","click")',
      '+cmd|/C calc!A0',
      '-1+1',
      '@SUM(A1:A9)',
      '\tindented',
      'first line\r\nsecond line, with "quotes"\nthird',
      'bell\u0007 and \u001b[31mred\u001b[0m',
    ];
    for (const reason of texts)
      await record({ action: AuditAction.BREAK_GLASS, actor: police, familyId: familyD, reason });
    const rows = await exported({ familyId: familyD });
    expect(rows).toHaveLength(texts.length + 1);
    const reasonColumn = CSV_COLUMNS.indexOf('reason');
    const reasons = rows.slice(1).map((r) => r[reasonColumn]);
    // Entries of the same millisecond have no order among themselves.
    expect(reasons.slice().sort()).toEqual(
      [
        `'=HYPERLINK("http://evil.example","click")`,
        `'+cmd|/C calc!A0`,
        `'-1+1`,
        `'@SUM(A1:A9)`,
        `'\tindented`,
        'first line\r\nsecond line, with "quotes"\nthird',
        'bell\u0007 and \u001b[31mred\u001b[0m',
      ].sort(),
    );
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
  });

  it('records the export, and refuses a bad filter before sending anything', async () => {
    await exported({ familyId: familyB, from: '2020-01-01', to: '2999-01-01T00:00:00Z' });
    const [own] = await db.dataSource.query<Array<{ action: string; detail: unknown }>>(
      `SELECT action, detail FROM audit_entries WHERE actor_id = $1 ORDER BY at DESC LIMIT 1`,
      [auditor.userId],
    );
    expect(own).toEqual({
      action: 'EXPORT',
      detail: {
        filter: { familyId: familyB, from: '2020-01-01T00:00:00.000Z', to: '2999-01-01T00:00:00.000Z' },
        format: 'csv',
      },
    });
    expect(await refusal(trail.exportCsv(auditor, { from: 'last tuesday' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'from',
    });
    expect(await refusal(trail.exportCsv(auditor, { familyId: [familyA, familyB] }))).toMatchObject({
      field: 'familyId',
    });
    expect(await refusal(trail.exportCsv(auditor, { sort: 'id' }))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
