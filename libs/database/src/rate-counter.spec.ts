import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { hitRateLimit } from '@hearth/database';
import { createTestDataSource, type TestDataSource } from '@hearth/testing';

let db: TestDataSource;

beforeAll(async () => {
  db = await createTestDataSource(8);
}, 60_000);

afterAll(async () => {
  await db.close();
});

describe('hitRateLimit', () => {
  const rule = { limit: 5, windowSeconds: 60 };

  it.each([true, false])(
    'lets exactly the limit of 12 concurrent hits through (waiting for the flush: %s)',
    async (flushWait) => {
      const key = `test:${randomUUID()}`;
      const decisions = await Promise.all(
        Array.from({ length: 12 }, () => hitRateLimit(db.dataSource, key, rule, 1, { flushWait })),
      );
      expect(decisions.map((d) => d.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(rule.limit);
    },
  );

  it("keeps a hit that does not wait for the flush to its own statement: the connection's next transaction waits again", async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      const setting = async () =>
        ((await runner.query(`SELECT current_setting('synchronous_commit') AS value`)) as { value: string }[])[0]!
          .value;
      // The suite's server may not wait for the flush at all: this connection does, for this test.
      await runner.query(`SET synchronous_commit = on`);
      // Positive control: the hit ran, and counted, on this very connection.
      const hit = await hitRateLimit(runner, `test:${randomUUID()}`, rule, 1, { flushWait: false });
      expect(hit).toMatchObject({ allowed: true, hits: 1 });
      expect(await setting()).toBe('on');
    } finally {
      await runner.release();
    }
  });
});
