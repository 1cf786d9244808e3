import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { RequestContext } from '@hearth/observability';
import { createTestDataSource, type TestDataSource } from '@hearth/testing';
import { AuditAction, AuditOutcome } from './audit-action.js';
import { AuditLog, READ_IDS_PER_ENTRY } from './audit-log.service.js';

let db: TestDataSource;
const auditLog = new AuditLog();
const actor = { userId: randomUUID(), agencyId: randomUUID(), roles: ['PRACTITIONER', 'MANAGER'] };

beforeAll(async () => {
  db = await createTestDataSource();
});
afterAll(() => db.close());

interface Row {
  id: string;
  action: string;
  outcome: string;
  actor_id: string | null;
  actor_agency_id: string | null;
  actor_roles: string[];
  reason: string | null;
  detail: unknown;
  subject_type: string | null;
  subject_id: string | null;
  family_id: string | null;
  request_id: string | null;
  client_address: string | null;
  user_agent: string | null;
}

async function entries(where = 'true', params: unknown[] = []): Promise<Row[]> {
  return db.dataSource.query<Row[]>(`SELECT * FROM audit_entries WHERE ${where} ORDER BY at, id`, params);
}

describe('AuditLog.record', () => {
  it('writes the entry in the caller’s transaction, with the request’s context', async () => {
    const familyId = randomUUID();
    const recorded = await RequestContext.run(
      { requestId: 'req-12345678', clientAddress: '203.0.113.9', userAgent: 'Firefox/140' },
      () =>
        db.dataSource.transaction((m) =>
          auditLog.record(m, {
            action: AuditAction.UPDATE,
            actor,
            subjectType: 'Family',
            subjectId: familyId,
            familyId,
            reason: 'protection plan agreed',
            detail: { fields: ['protectionStatus'] },
          }),
        ),
    );
    const [row] = await entries('id = $1', [recorded.id]);
    expect(row).toMatchObject({
      action: 'UPDATE',
      outcome: 'ALLOWED',
      actor_id: actor.userId,
      actor_agency_id: actor.agencyId,
      actor_roles: ['PRACTITIONER', 'MANAGER'],
      subject_type: 'Family',
      subject_id: familyId,
      family_id: familyId,
      reason: 'protection plan agreed',
      detail: { fields: ['protectionStatus'] },
      request_id: 'req-12345678',
      client_address: '203.0.113.9',
      user_agent: 'Firefox/140',
    });
    expect(recorded.at).toBeInstanceOf(Date);
  });

  it('records an anonymous refusal', async () => {
    const email = `nobody-${randomUUID()}@example.org`;
    const { id } = await db.dataSource.transaction((m) =>
      auditLog.record(m, {
        action: AuditAction.LOGIN_FAILED,
        outcome: AuditOutcome.DENIED,
        actor: null,
        detail: { email },
      }),
    );
    const [row] = await entries('id = $1', [id]);
    expect(row).toMatchObject({ actor_id: null, actor_roles: [], outcome: 'DENIED', detail: { email } });
  });

  it('leaves no entry when the caller’s transaction rolls back', async () => {
    const marker = `rolled back ${randomUUID()}`;
    await expect(
      db.dataSource.transaction(async (m) => {
        await auditLog.record(m, { action: AuditAction.CREATE, actor, reason: marker });
        throw new Error('the act failed after its audit entry');
      }),
    ).rejects.toThrow('the act failed');
    expect(await entries('reason = $1', [marker])).toEqual([]);
  });

  it('fails the caller’s transaction, and so the act, when the entry cannot be written', async () => {
    const marker = `act ${randomUUID()}`;
    await expect(
      db.dataSource.transaction(async (m) => {
        // The act's own write, then an entry the database refuses (not a UUID).
        await auditLog.record(m, { action: AuditAction.CREATE, actor, reason: marker });
        await auditLog.record(m, { action: AuditAction.READ, actor, familyId: 'not-a-uuid' });
      }),
    ).rejects.toThrow(/uuid/);
    expect(await entries('reason = $1', [marker])).toEqual([]);
  });

  it('refuses to record outside a transaction', async () => {
    await expect(auditLog.record(db.dataSource.manager, { action: AuditAction.READ, actor })).rejects.toThrow(
      /inside the transaction/,
    );
  });

  it('stores free text as data: newlines, control characters and ANSI escapes forge nothing', async () => {
    const before = (await entries()).length;
    const forged =
      "ok\n2026-01-01T00:00:00Z LOGIN aud.auditor ALLOWED\r\n\u001b[2K\u001b[1A\u001b[31mDENIED\u001b[0m\u0007\u0000'); DELETE FROM audit_entries; --";
    const { id } = await RequestContext.run(
      { requestId: 'req-forgery1', clientAddress: '::1', userAgent: 'agent\nsecond line\u001b[0m' },
      () =>
        db.dataSource.transaction((m) =>
          auditLog.record(m, {
            action: AuditAction.BREAK_GLASS,
            actor,
            reason: forged,
            // An own "__proto__" key, as JSON.parse makes from a request body.
            detail: { note: forged, 'key\nline': 1, ...(JSON.parse('{"__proto__": "x"}') as Record<string, string>) },
          }),
        ),
    );
    expect((await entries()).length).toBe(before + 1);
    const [row] = await entries('id = $1', [id]);
    // Stored exactly, except NUL, which PostgreSQL text cannot hold, shown as ␀.
    const stored = forged.replace('\u0000', '\u2400');
    expect(row?.reason).toBe(stored);
    expect(row?.user_agent).toBe('agent\nsecond line\u001b[0m');
    expect(row?.detail).toEqual({ note: stored, 'key\nline': 1, ['__proto__']: 'x' });
    expect(Object.getPrototypeOf(row?.detail)).toBe(Object.prototype);
  });

  it('keeps over-long free text to its limit instead of failing the act', async () => {
    const { id } = await db.dataSource.transaction((m) =>
      auditLog.record(m, { action: AuditAction.BREAK_GLASS, actor, reason: 'x'.repeat(10_000) }),
    );
    const [row] = await entries('id = $1', [id]);
    expect(row?.reason).toHaveLength(4000);
    expect(row?.reason?.endsWith('…')).toBe(true);
  });

  it('refuses a detail that is content rather than identifiers', async () => {
    await expect(
      db.dataSource.transaction((m) =>
        auditLog.record(m, {
          action: AuditAction.READ,
          actor,
          detail: { items: Array.from({ length: 100 }, () => 'y'.repeat(500)) },
        }),
      ),
    ).rejects.toThrow(/larger than/);
  });
});

describe('AuditLog.recordRead', () => {
  it('records one READ per transaction and subject, listing the ids returned', async () => {
    const familyId = randomUUID();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const written = await db.dataSource.transaction(async (m) => {
      const first = await auditLog.recordRead(m, {
        actor,
        subjectType: 'TimelineEvent',
        subjectId: familyId,
        familyId,
        ids: [a, b],
      });
      // The same page again (a nested field, a second alias): nothing new, nothing written.
      const again = await auditLog.recordRead(m, {
        actor,
        subjectType: 'TimelineEvent',
        subjectId: familyId,
        familyId,
        ids: [b, a],
      });
      // More of the same subject: only what was not yet listed.
      const more = await auditLog.recordRead(m, {
        actor,
        subjectType: 'TimelineEvent',
        subjectId: familyId,
        familyId,
        ids: [b, c],
      });
      return [first, again, more];
    });
    expect(written.map((w) => w.length)).toEqual([1, 0, 1]);
    // Both entries may carry the same millisecond: order them by what they list.
    const rows = (await entries('family_id = $1', [familyId])).sort(
      (x, y) => (y.detail as { count: number }).count - (x.detail as { count: number }).count,
    );
    expect(rows.map((r) => [r.action, r.subject_type, r.subject_id, r.detail])).toEqual([
      ['READ', 'TimelineEvent', familyId, { ids: [a, b], count: 2 }],
      ['READ', 'TimelineEvent', familyId, { ids: [c], count: 1 }],
    ]);

    // Another transaction (another request) is recorded again.
    await db.dataSource.transaction((m) =>
      auditLog.recordRead(m, { actor, subjectType: 'TimelineEvent', subjectId: familyId, familyId, ids: [a] }),
    );
    expect(await entries('family_id = $1', [familyId])).toHaveLength(3);
  });

  it('records an empty read once, and splits a large one without dropping an id', async () => {
    const personId = randomUUID();
    const ids = Array.from({ length: READ_IDS_PER_ENTRY + 10 }, () => randomUUID());
    await db.dataSource.transaction(async (m) => {
      await auditLog.recordRead(m, { actor, subjectType: 'Person', subjectId: personId, personId, ids: [] });
      await auditLog.recordRead(m, { actor, subjectType: 'Person', subjectId: personId, personId, ids: [] });
      await auditLog.recordRead(m, { actor, subjectType: 'Relative', personId, ids });
    });
    const rows = await entries('person_id = $1', [personId]);
    expect(rows.filter((r) => r.subject_type === 'Person').map((r) => r.detail)).toEqual([{ ids: [], count: 0 }]);
    const parts = rows
      .filter((r) => r.subject_type === 'Relative')
      .map((r) => r.detail as { ids: string[]; parts: number });
    expect(parts).toHaveLength(2);
    expect(parts.flatMap((p) => p.ids).sort()).toEqual([...ids].sort());
    expect(parts[0]?.parts).toBe(2);
  });
});
