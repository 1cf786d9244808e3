import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { errorCode, eventually } from '@hearth/testing';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the audit trail in the running system', () => {
  let app: TestApp;
  let db: pg.Client;
  beforeAll(async () => {
    // The default: the API process runs the sealer too.
    app = await startTestApp({ HEARTH_RUN_WORKER: 'true' });
    db = new pg.Client({ connectionString: app.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await app.close();
  });

  async function entriesFor(requestId: string) {
    const { rows } = await db.query<{
      id: string;
      action: string;
      outcome: string;
      subject_type: string;
      subject_id: string;
      reason: string;
      actor_id: string | null;
      client_address: string;
    }>(`SELECT * FROM audit_entries WHERE request_id = $1`, [requestId]);
    return rows;
  }

  it('refuses auditEntries and auditIntegrity without a token', async () => {
    const list = await app.gql({ query: '{ auditEntries(first: 5) { edges { node { id action } } } }' });
    expect(errorCode(list)).toBe('UNAUTHENTICATED');
    expect(list.data).toBeNull();
    const integrity = await app.gql({ query: '{ auditIntegrity { verified } }' });
    expect(errorCode(integrity)).toBe('UNAUTHENTICATED');
  });

  it('refuses the CSV export without a token, with 401 and no CSV', async () => {
    const res = await fetch(`${app.url}/audit/export.csv?familyId=00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'UNAUTHENTICATED', message: 'Not authenticated' });
  });

  it('records a request refused for a bad token as DENIED, with its request id and address', async () => {
    const requestId = 'audit-e2e-graphql-1';
    const res = await app.gql({
      query: '{ auditEntries { edges { node { id } } } }',
      token: 'not.a.token',
      headers: { 'x-request-id': requestId },
    });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(await entriesFor(requestId)).toEqual([
      expect.objectContaining({
        action: 'DENIED',
        outcome: 'DENIED',
        subject_type: 'Operation',
        subject_id: 'Query.auditEntries',
        reason: 'invalid or revoked token',
        actor_id: null,
        client_address: expect.stringMatching(/127\.0\.0\.1/),
      }),
    ]);

    const csvRequestId = 'audit-e2e-export-1';
    const csv = await fetch(`${app.url}/audit/export.csv`, {
      headers: { authorization: 'Bearer not.a.token', 'x-request-id': csvRequestId },
    });
    expect(csv.status).toBe(401);
    expect(await entriesFor(csvRequestId)).toEqual([
      expect.objectContaining({ action: 'DENIED', subject_id: 'GET /audit/export.csv' }),
    ]);
  });

  it('seals what it records, in the API process, within moments', async () => {
    const requestId = 'audit-e2e-sealed-1';
    await app.gql({ query: '{ auditIntegrity { verified } }', token: 'x.y.z', headers: { 'x-request-id': requestId } });
    const [entry] = await entriesFor(requestId);
    await eventually(
      async () => (await db.query(`SELECT 1 FROM audit_seals WHERE entry_id = $1`, [entry!.id])).rowCount === 1,
      {
        what: 'the in-process sealer sealing the entry',
      },
    );
  });

  it('publishes the auditor contract of API.md', async () => {
    const fields = async (name: string) => {
      const data = await app.gqlData<{
        __type: { fields: Array<{ name: string }> | null; inputFields: Array<{ name: string }> | null };
      }>({
        query: `{ __type(name: "${name}") { fields { name } inputFields { name } } }`,
      });
      return (data.__type.fields ?? data.__type.inputFields ?? []).map((f) => f.name);
    };
    expect(await fields('AuditEntry')).toEqual(
      expect.arrayContaining([
        'id',
        'at',
        'actorId',
        'agencyId',
        'action',
        'subjectType',
        'subjectId',
        'familyId',
        'personId',
        'outcome',
        'reason',
        'requestId',
      ]),
    );
    expect(await fields('AuditFilter')).toEqual(
      expect.arrayContaining(['actorId', 'agencyId', 'familyId', 'personId', 'action', 'outcome', 'from', 'to']),
    );
    expect(await fields('AuditIntegrity')).toEqual(
      expect.arrayContaining(['verified', 'entries', 'sealedThrough', 'headHash', 'firstBrokenEntryId']),
    );
    const query = await app.gqlData<{ __type: { fields: Array<{ name: string; args: Array<{ name: string }> }> } }>({
      query: '{ __type(name: "Query") { fields { name args { name } } } }',
    });
    expect(query.__type.fields.find((f) => f.name === 'auditEntries')?.args.map((a) => a.name)).toEqual([
      'after',
      'filter',
      'first',
    ]);
  });

  it('keeps the public operations public', async () => {
    expect(await app.gqlData<{ version: string }>({ query: '{ version }' })).toEqual({ version: expect.any(String) });
    expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
  });
});
