import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from './support/test-app.js';

const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const HEADER = '# Generated from the code-first resolvers: `npm run schema` rewrites it. Do not edit.\n\n';

describe('the GraphQL contract', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('matches the committed schema.graphql, so every contract change shows in review', () => {
    const current = HEADER + printSchema(app.hearth.app.get(GraphQLSchemaHost).schema) + '\n';
    if (process.env['HEARTH_UPDATE_SCHEMA'] === '1') writeFileSync(SCHEMA_FILE, current);
    expect(existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : '(no schema.graphql)').toBe(current);
  });
});
