import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { dataSourceOptions, DomainEvents, DomainEventsModule } from '@hearth/database';
import { createTestDataSource, type TestDataSource } from '@hearth/testing';

// How a publishing lib declares its events: the name fixes the payload type.
declare module '@hearth/database' {
  interface DomainEventMap {
    'probe.recorded': { readonly id: number };
    'probe.other': { readonly label: string };
  }
}

let db: TestDataSource;
let events: DomainEvents;
const reported: unknown[] = [];

beforeAll(async () => {
  db = await createTestDataSource(3);
  await db.dataSource.query(`CREATE TABLE probe (id integer PRIMARY KEY, source text NOT NULL)`);
});
afterAll(() => db.close());
beforeEach(async () => {
  // A bus per test: no handler or effect carries over.
  events = new DomainEvents(db.dataSource, (error) => reported.push(error));
  reported.length = 0;
  await db.dataSource.query(`TRUNCATE probe`);
});

async function probeIds(): Promise<number[]> {
  const rows = await db.dataSource.query<{ id: number }[]>(`SELECT id FROM probe ORDER BY id`);
  return rows.map((row) => row.id);
}

async function txid(manager: EntityManager): Promise<string> {
  const [row] = await manager.query<{ txid: string }[]>(`SELECT pg_current_xact_id()::text AS txid`);
  return row!.txid;
}

class Refused extends Error {}

describe('DomainEvents.publish', () => {
  it('runs every handler of the event inside the publishing transaction, in registration order', async () => {
    const order: string[] = [];
    const transactions = new Set<string>();
    events.on('probe.recorded', async (manager, payload) => {
      order.push(`first ${payload.id}`);
      transactions.add(await txid(manager));
      await manager.query(`INSERT INTO probe (id, source) VALUES ($1, 'first')`, [payload.id + 100]);
    });
    events.on('probe.other', () => {
      order.push('other');
    });
    events.on('probe.recorded', async (manager, payload) => {
      // Awaited one after the other: the first handler's row is already there.
      const [row] = await manager.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM probe`);
      order.push(`second ${payload.id} sees ${row!.n}`);
      transactions.add(await txid(manager));
    });

    await db.dataSource.transaction(async (manager) => {
      transactions.add(await txid(manager));
      await manager.query(`INSERT INTO probe (id, source) VALUES (1, 'publisher')`);
      await events.publish(manager, 'probe.recorded', { id: 1 });
    });

    expect(order).toEqual(['first 1', 'second 1 sees 2']);
    expect(transactions.size).toBe(1);
    expect(await probeIds()).toEqual([1, 101]);
  });

  it("rolls a handler's writes back with the transaction", async () => {
    events.on('probe.recorded', async (manager, payload) => {
      await manager.query(`INSERT INTO probe (id, source) VALUES ($1, 'handler')`, [payload.id]);
    });
    await expect(
      db.dataSource.transaction(async (manager) => {
        await events.publish(manager, 'probe.recorded', { id: 7 });
        throw new Refused('the publisher changes its mind');
      }),
    ).rejects.toBeInstanceOf(Refused);
    expect(await probeIds()).toEqual([]);
  });

  it('fails the transaction when a handler throws, and runs no handler after it', async () => {
    const ran: string[] = [];
    events.on('probe.recorded', () => {
      ran.push('first');
      throw new Refused('a rule refuses');
    });
    events.on('probe.recorded', () => {
      ran.push('second');
    });
    await expect(
      db.dataSource.transaction(async (manager) => {
        await manager.query(`INSERT INTO probe (id, source) VALUES (1, 'publisher')`);
        await events.publish(manager, 'probe.recorded', { id: 1 });
      }),
    ).rejects.toBeInstanceOf(Refused);
    expect(ran).toEqual(['first']);
    expect(await probeIds()).toEqual([]);
  });

  it('stops calling a handler once it unsubscribes', async () => {
    let calls = 0;
    const off = events.on('probe.recorded', () => {
      calls += 1;
    });
    await db.dataSource.transaction((manager) => events.publish(manager, 'probe.recorded', { id: 1 }));
    off();
    await db.dataSource.transaction((manager) => events.publish(manager, 'probe.recorded', { id: 2 }));
    expect(calls).toBe(1);
  });

  it('refuses to publish outside a transaction', async () => {
    await expect(events.publish(db.dataSource.manager, 'probe.recorded', { id: 1 })).rejects.toThrow(
      /needs a transaction/,
    );
  });

  it('lets the event name fix the payload type', () => {
    const typed = (manager: EntityManager): Promise<void>[] => [
      // @ts-expect-error the payload of probe.recorded has an id, not a label
      events.publish(manager, 'probe.recorded', { label: 'x' }),
      // @ts-expect-error an event nobody declared
      events.publish(manager, 'probe.undeclared', {}),
    ];
    expect(typed).toBeInstanceOf(Function);
  });
});

describe('DomainEvents.afterCommit', () => {
  it('runs an effect once, after the commit, when the committed rows are visible to others', async () => {
    const seen: number[][] = [];
    await db.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO probe (id, source) VALUES (1, 'publisher')`);
      events.afterCommit(manager, async () => {
        seen.push(await probeIds()); // another connection of the pool
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([[1]]);

    // Later transactions on the same pool do not run it again.
    await db.dataSource.transaction((manager) => manager.query(`INSERT INTO probe (id, source) VALUES (2, 'later')`));
    expect(seen).toEqual([[1]]);
  });

  it('runs the effects of a transaction in the order they were queued, handlers included', async () => {
    const order: string[] = [];
    events.on('probe.recorded', (manager, payload) => {
      events.afterCommit(manager, () => {
        order.push(`doorbell ${payload.id}`);
      });
    });
    await db.dataSource.transaction(async (manager) => {
      events.afterCommit(manager, () => {
        order.push('publisher');
      });
      await events.publish(manager, 'probe.recorded', { id: 1 });
      await events.publish(manager, 'probe.recorded', { id: 2 });
      expect(order).toEqual([]);
    });
    expect(order).toEqual(['publisher', 'doorbell 1', 'doorbell 2']);
  });

  it('never runs an effect after a rollback', async () => {
    let runs = 0;
    await expect(
      db.dataSource.transaction(async (manager) => {
        await manager.query(`INSERT INTO probe (id, source) VALUES (1, 'publisher')`);
        events.afterCommit(manager, () => {
          runs += 1;
        });
        throw new Refused('rolled back');
      }),
    ).rejects.toBeInstanceOf(Refused);
    // The connection goes back to the pool and commits other work: still nothing.
    await db.dataSource.transaction((manager) => manager.query(`INSERT INTO probe (id, source) VALUES (2, 'later')`));
    expect(runs).toBe(0);
    expect(await probeIds()).toEqual([2]);
  });

  it('never runs the effect of a transaction whose COMMIT fails', async () => {
    // Checked at COMMIT, so the statement succeeds and the commit fails.
    await db.dataSource.query(
      `ALTER TABLE probe ADD CONSTRAINT probe_unique_source UNIQUE (source) DEFERRABLE INITIALLY DEFERRED`,
    );
    try {
      let runs = 0;
      await expect(
        db.dataSource.transaction(async (manager) => {
          await manager.query(`INSERT INTO probe (id, source) VALUES (1, 'twice'), (2, 'twice')`);
          events.afterCommit(manager, () => {
            runs += 1;
          });
        }),
      ).rejects.toThrow(/probe_unique_source/);
      expect(runs).toBe(0);
    } finally {
      await db.dataSource.query(`ALTER TABLE probe DROP CONSTRAINT probe_unique_source`);
    }
  });

  it("keeps one transaction's effects apart from another's", async () => {
    const ran: string[] = [];
    let releaseA!: () => void;
    const aMayEnd = new Promise<void>((resolve) => (releaseA = resolve));
    let aQueued!: () => void;
    const aHasQueued = new Promise<void>((resolve) => (aQueued = resolve));

    const a = db.dataSource.transaction(async (manager) => {
      events.afterCommit(manager, () => {
        ran.push('a');
      });
      aQueued();
      await aMayEnd;
      throw new Refused('a rolls back');
    });
    await aHasQueued;
    await db.dataSource.transaction((manager) => {
      events.afterCommit(manager, () => {
        ran.push('b');
      });
      return Promise.resolve();
    });
    expect(ran).toEqual(['b']);
    releaseA();
    await expect(a).rejects.toBeInstanceOf(Refused);
    expect(ran).toEqual(['b']);
  });

  it('holds the effects of a released savepoint until the transaction commits', async () => {
    const ran: string[] = [];
    await db.dataSource.transaction(async (outer) => {
      await outer.transaction((inner) => {
        events.afterCommit(inner, () => {
          ran.push('inner');
        });
        return Promise.resolve();
      });
      expect(ran).toEqual([]); // the savepoint was released, nothing is committed yet
    });
    expect(ran).toEqual(['inner']);
  });

  it('drops the effects of a savepoint that rolled back, and keeps those of the transaction', async () => {
    const ran: string[] = [];
    await db.dataSource.transaction(async (outer) => {
      events.afterCommit(outer, () => {
        ran.push('outer before');
      });
      await expect(
        outer.transaction(async (inner) => {
          await inner.query(`INSERT INTO probe (id, source) VALUES (1, 'savepoint')`);
          events.afterCommit(inner, () => {
            ran.push('inner');
          });
          throw new Refused('the savepoint rolls back');
        }),
      ).rejects.toBeInstanceOf(Refused);
      events.afterCommit(outer, () => {
        ran.push('outer after');
      });
      await outer.query(`INSERT INTO probe (id, source) VALUES (2, 'outer')`);
    });
    expect(ran).toEqual(['outer before', 'outer after']);
    expect(await probeIds()).toEqual([2]);
  });

  it('drops the effects of a released savepoint when the transaction rolls back', async () => {
    const ran: string[] = [];
    await expect(
      db.dataSource.transaction(async (outer) => {
        await outer.transaction((inner) => {
          events.afterCommit(inner, () => {
            ran.push('inner');
          });
          return Promise.resolve();
        });
        throw new Refused('the transaction rolls back');
      }),
    ).rejects.toBeInstanceOf(Refused);
    expect(ran).toEqual([]);
  });

  it('reports a failing effect without undoing the commit, and still runs the effects after it', async () => {
    const ran: string[] = [];
    const failure = new Error('the socket is gone');
    await db.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO probe (id, source) VALUES (1, 'publisher')`);
      events.afterCommit(manager, () => {
        throw failure;
      });
      events.afterCommit(manager, () => {
        ran.push('next');
      });
    });
    expect(reported).toEqual([failure]);
    expect(ran).toEqual(['next']);
    expect(await probeIds()).toEqual([1]);
  });

  it('refuses an effect outside a transaction, or on a transaction of another data source', async () => {
    expect(() => events.afterCommit(db.dataSource.manager, () => undefined)).toThrow(/needs a transaction/);
    const other = await db.connect(1);
    await expect(
      other.transaction((manager) => {
        events.afterCommit(manager, () => undefined);
        return Promise.resolve();
      }),
    ).rejects.toThrow(/another data source/);
  });
});

describe('DomainEvents.beforeCommit', () => {
  it('runs a step in the transaction after everything else it did, once, and its writes commit with it', async () => {
    const order: string[] = [];
    const transactions = new Set<string>();
    await db.dataSource.transaction(async (manager) => {
      transactions.add(await txid(manager));
      events.beforeCommit(manager, async (m) => {
        order.push('step');
        transactions.add(await txid(m));
        await m.query(`INSERT INTO probe (id, source) VALUES (2, 'step')`);
        // A step may queue another: it runs before the commit too.
        events.beforeCommit(m, () => {
          order.push('queued by the step');
        });
      });
      // A released savepoint is not the commit: the step waits for the transaction.
      await manager.transaction(async (inner) => {
        await inner.query(`INSERT INTO probe (id, source) VALUES (1, 'savepoint')`);
      });
      order.push('body done');
    });
    expect(order).toEqual(['body done', 'step', 'queued by the step']);
    expect(transactions.size).toBe(1);
    expect(await probeIds()).toEqual([1, 2]);
  });

  it('drops the step of a savepoint that rolled back, and fails the commit when a step throws', async () => {
    const ran: string[] = [];
    await db.dataSource.transaction(async (manager) => {
      events.beforeCommit(manager, () => {
        ran.push('kept');
      });
      await expect(
        manager.transaction((inner) => {
          events.beforeCommit(inner, () => {
            ran.push('dropped');
          });
          return Promise.reject(new Refused());
        }),
      ).rejects.toBeInstanceOf(Refused);
    });
    expect(ran).toEqual(['kept']);

    // A released savepoint's step stays when a later sibling savepoint rolls back.
    ran.length = 0;
    await db.dataSource.transaction(async (manager) => {
      await manager.transaction((inner) => {
        events.beforeCommit(inner, () => {
          ran.push('released');
        });
        events.afterCommit(inner, () => {
          ran.push('released, after commit');
        });
        return Promise.resolve();
      });
      await expect(manager.transaction(() => Promise.reject(new Refused()))).rejects.toBeInstanceOf(Refused);
    });
    expect(ran).toEqual(['released', 'released, after commit']);

    await expect(
      db.dataSource.transaction(async (manager) => {
        await manager.query(`INSERT INTO probe (id, source) VALUES (3, 'body')`);
        events.beforeCommit(manager, () => {
          throw new Refused();
        });
      }),
    ).rejects.toBeInstanceOf(Refused);
    expect(await probeIds()).toEqual([]);
  });
});

describe('DomainEventsModule', () => {
  it('gives the application one bus on its data source, whose effects follow its commits', async () => {
    @Module({
      imports: [TypeOrmModule.forRoot(dataSourceOptions(db.database.url, [], 1)), DomainEventsModule],
    })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const bus = app.get(DomainEvents);
      expect(app.get(DomainEvents)).toBe(bus);
      const dataSource = app.get<DataSource>(getDataSourceToken());
      const ran: number[] = [];
      bus.on('probe.recorded', (manager, payload) => bus.afterCommit(manager, () => void ran.push(payload.id)));
      await dataSource.transaction((manager) => bus.publish(manager, 'probe.recorded', { id: 3 }));
      expect(ran).toEqual([3]);
    } finally {
      await app.close();
    }
  });
});
