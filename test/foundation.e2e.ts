import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCode } from '@hearth/testing';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the running system', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('is live, and ready once the database answers and migrations are applied', async () => {
    const live = await fetch(`${app.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'up', migrations: 'applied' });
  });

  it('answers GraphQL', async () => {
    const data = await app.gqlData<{ __typename: string; version: string }>({ query: '{ __typename version }' });
    expect(data.__typename).toBe('Query');
    expect(data.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exposes Prometheus metrics, including the requests it served', async () => {
    await fetch(`${app.url}/health/live`);
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('hearth_http_request_duration_seconds_bucket');
    expect(text).toContain('route="/health/live"');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('gives every response a request id, keeping a well-formed one from the caller', async () => {
    const own = await fetch(`${app.url}/health/live`);
    expect(own.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${app.url}/health/live`, { headers: { 'x-request-id': 'trace-12345678' } });
    expect(given.headers.get('x-request-id')).toBe('trace-12345678');
    const forged = await fetch(`${app.url}/health/live`, {
      headers: { 'x-request-id': 'forged id with spaces <script>' },
    });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports a malformed query as BAD_USER_INPUT, without internals', async () => {
    const res = await app.gql({ query: '{ noSuchField }' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.errors)).not.toMatch(/stack|at .*\.js/);
    const syntax = await app.gql({ query: '{ version ' });
    expect(errorCode(syntax)).toBe('BAD_USER_INPUT');
  });

  it('refuses a simple cross-site POST (CSRF prevention)', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ version }' }),
    });
    expect(res.status).toBe(400);
  });

  it('refuses batched requests', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ version }' }, { query: '{ version }' }]),
    });
    expect(res.status).toBe(400);
  });

  it('refuses queries beyond the token limit and bodies beyond the size limit', async () => {
    const res = await app.gql({ query: `{ ${'version '.repeat(2100)}}` });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const huge = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ version }`, variables: { pad: 'x'.repeat(300_000) } }),
    });
    expect(huge.status).toBe(413);
  });
});
