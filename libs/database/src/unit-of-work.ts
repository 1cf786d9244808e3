import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * A request's unit of work: when a request opens one (a mutation sent with an Idempotency-Key),
 * every `dataSource.transaction(…)`, `dataSource.query(…)` and `dataSource.manager` of that
 * request runs on its one connection, inside its one transaction, and each of the services'
 * transactions becomes a savepoint. A service's transaction that fails rolls back to its
 * savepoint, exactly as it would have rolled back alone; nothing is committed until the owner
 * of the unit of work commits, together with what it writes itself (the stored response).
 * Services do not change: they keep calling the DataSource they were given.
 */
interface Work {
  readonly runner: QueryRunner;
  /** Savepoints run one at a time: GraphQL resolves sibling fields concurrently. */
  queue: Promise<unknown>;
}

interface Scope {
  work?: Work;
}

const scopes = new AsyncLocalStorage<Scope>();
/** The work whose savepoint the current code runs in (a nested call must not wait for itself). */
const inside = new AsyncLocalStorage<Work>();

export const UnitOfWork = {
  /** Runs one request; a unit of work may be opened inside it. */
  scope<T>(fn: () => T): T {
    return scopes.run({}, fn);
  },

  /** Makes the request's transactions join `runner`'s transaction (already begun). */
  begin(runner: QueryRunner): void {
    const scope = scopes.getStore();
    if (!scope) throw new Error('UnitOfWork.begin outside UnitOfWork.scope');
    if (scope.work) throw new Error('a unit of work is already open for this request');
    scope.work = { runner, queue: Promise.resolve() };
  },

  /** Waits for the savepoints in flight, and detaches the runner from the request. */
  async end(): Promise<void> {
    const scope = scopes.getStore();
    const work = scope?.work;
    if (!work) return;
    await work.queue;
    scope.work = undefined;
  },

  active(): boolean {
    return scopes.getStore()?.work !== undefined;
  },
};

function currentWork(): Work | undefined {
  return scopes.getStore()?.work;
}

/**
 * TypeORM's own nested transaction on the unit of work's runner: a SAVEPOINT, released or rolled
 * back, with the transaction events the domain-event bus counts, so effects queued in a savepoint
 * that rolls back are dropped and the others wait for the real commit.
 */
function inSavepoint<T>(work: Work, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  return work.runner.manager.transaction((manager) => inside.run(work, () => fn(manager)));
}

function joined<T>(work: Work, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (inside.getStore() === work) return inSavepoint(work, fn);
  const run = work.queue.then(() => inSavepoint(work, fn));
  work.queue = run.catch(() => undefined);
  return run;
}

const installed = new WeakSet<DataSource>();

/**
 * Lets a request's unit of work take over this DataSource's transactions, queries and manager
 * (installed once, when the app starts). Outside a unit of work nothing changes.
 */
export function joinUnitsOfWork(dataSource: DataSource): void {
  if (installed.has(dataSource)) return;
  installed.add(dataSource);
  const transaction = dataSource.transaction.bind(dataSource) as (...args: unknown[]) => Promise<unknown>;
  const query = dataSource.query.bind(dataSource);
  const manager = dataSource.manager;
  dataSource.transaction = (...args: unknown[]) => {
    const work = currentWork();
    if (!work) return transaction(...args);
    const fn = args[args.length - 1] as (manager: EntityManager) => Promise<unknown>;
    return joined(work, fn);
  };
  // An EntityManager runs its statements through here with its own runner: that one wins.
  dataSource.query = (<T>(sql: string, parameters?: unknown[], runner?: QueryRunner) => {
    const work = runner ? undefined : currentWork();
    return (work ? work.runner.query(sql, parameters) : query(sql, parameters, runner)) as Promise<T>;
  }) as DataSource['query'];
  Object.defineProperty(dataSource, 'manager', {
    configurable: true,
    get: () => currentWork()?.runner.manager ?? manager,
  });
}
