import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { hitRateLimit, hitRateLimits } from '@hearth/database';
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

describe('hitRateLimits', () => {
  it('counts a hit on each key in one statement, each under its own limit, in the order given', async () => {
    const [spent, fresh] = [`test:${randomUUID()}`, `test:${randomUUID()}`];
    await hitRateLimit(db.dataSource, spent, { limit: 1, windowSeconds: 60 });
    const [b, a] = await hitRateLimits(db.dataSource, [
      { key: fresh, rule: { limit: 1, windowSeconds: 60 }, weight: 1 },
      { key: spent, rule: { limit: 1, windowSeconds: 60 } },
    ]);
    expect(b).toMatchObject({ allowed: true, hits: 1 });
    expect(a).toMatchObject({ allowed: false, hits: 2 });
  });

  it('lets concurrent acts hit the same keys in either order without a deadlock, and counts every hit', async () => {
    const keys = [`test:${randomUUID()}`, `test:${randomUUID()}`];
    const rule = { limit: 5, windowSeconds: 60 };
    const decisions = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        hitRateLimits(
          db.dataSource,
          (i % 2 ? [...keys].reverse() : keys).map((key) => ({ key, rule })),
          { flushWait: i % 3 === 0 },
        ),
      ),
    );
    for (const key of keys) {
      const counts = decisions.map((pair, i) => pair[(i % 2 ? [...keys].reverse() : keys).indexOf(key)]!.hits);
      expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    }
  });

  it('refuses a key given twice, counting nothing', async () => {
    const key = `test:${randomUUID()}`;
    const rule = { limit: 5, windowSeconds: 60 };
    await expect(
      hitRateLimits(db.dataSource, [
        { key, rule },
        { key, rule },
      ]),
    ).rejects.toThrow('given twice');
    expect(await hitRateLimit(db.dataSource, key, rule)).toMatchObject({ hits: 1 });
  });
});
