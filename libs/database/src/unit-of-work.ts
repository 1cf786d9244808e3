import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';

/**
 * A request's unit of work: every GraphQL operation opens one (see @hearth/mutation-gate). It
 * holds one pooled connection for the whole operation; every `dataSource.transaction(…)`,
 * `dataSource.query(…)` and `dataSource.manager` of the request runs on it, inside its one
 * transaction, and each of the services' transactions becomes a savepoint. A service's
 * transaction that fails rolls back to its savepoint, exactly as it would have rolled back alone;
 * nothing is committed until the owner of the unit of work commits, together with what it writes
 * itself (a stored response). The first of them, when nothing has run in the transaction before
 * it (an operation's one root field, typically), needs no savepoint: if it fails, the
 * transaction is rolled back and begun again for the same user, which leaves what rolling back
 * to a savepoint taken right after BEGIN would have left. The effects queued with
 * `DomainEvents.afterCommit` run once the real commit has succeeded and the connection is back in
 * the pool, so an effect that reads the database never holds two connections. Services do not
 * change: they keep calling the DataSource they were given.
 */
interface Work {
  readonly runner: QueryRunner;
  /** Savepoints run one at a time: GraphQL resolves sibling fields concurrently. */
  queue: Promise<unknown>;
  /** The owner began the transaction (before that, statements run one by one, autocommitted). */
  begun: boolean;
  /** Begins the transaction when the request's first service transaction asks for one. */
  lazyBegin?: () => Promise<void>;
  /** Begins the transaction again, for the same user, after its first service transaction failed. */
  restart?: () => Promise<void>;
  /** Statements sent on the connection since the unit of work opened. */
  statements: number;
  /** `statements` right after BEGIN (and the user's name): equal while nothing else has run. */
  cleanAt: number;
  /** Why the transaction could not be begun again: nothing more may run in this unit of work. */
  broken?: Error;
  /** While the transaction is begun again, the other statements wait: none may run outside it. */
  hold?: Promise<void>;
  /** What the next START TRANSACTION sends with it, in the same round trip (the user's name). */
  withBegin?: string;
  /** After-commit effects of the transaction, run once it has committed and the connection is released. */
  readonly deferred: Array<() => Promise<void>>;
}

interface Scope {
  work?: Work;
  /** Values made once per request (see `perRequest`). */
  locals?: Map<symbol, unknown>;
}

const scopes = new AsyncLocalStorage<Scope>();
/** The work whose savepoint the current code runs in (a nested call must not wait for itself). */
const inside = new AsyncLocalStorage<Work>();
/** The runner of each open unit of work. */
const owned = new WeakMap<QueryRunner, Work>();
/** Set while a unit of work rolls back and begins its transaction again (its statements pass its hold). */
const restarting = new AsyncLocalStorage<Work>();

/** The user of an operation nobody signed in to: no family's rows are theirs. */
const NOBODY = '00000000-0000-0000-0000-000000000000';
/** A user id that may be written into a statement's text as it is. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Work for one user outside a GraphQL operation (a socket's resume and acknowledgement): the rest
 * of `manager`'s transaction is filtered for `userId` by the row-level security policies, as an
 * operation's unit of work is.
 */
export async function actAsUser(manager: EntityManager, userId: string): Promise<void> {
  await manager.query(`SELECT set_config('hearth.user_id', $1, true)`, [userId]);
}

/** Raised by `commit` when PostgreSQL rolled the transaction back instead (a statement of it had failed). */
export class UnitOfWorkRolledBack extends Error {
  override readonly name = 'UnitOfWorkRolledBack';
}

export interface BeginOptions {
  readonly isolation?: IsolationLevel;
  /**
   * false: the COMMIT does not wait for its WAL to reach disk (`synchronous_commit = off` for this
   * transaction only). It is still atomic and ordered; a crash of PostgreSQL may lose the last
   * fraction of a second of such commits after their answers were sent.
   */
  readonly synchronousCommit?: boolean;
}

/** The owner's handle on an open unit of work (one per request). */
export interface OpenUnitOfWork {
  readonly runner: QueryRunner;
  /**
   * Starts the transaction, for `userId` (null: nobody signed in), whom the row-level security
   * policies read from `hearth.user_id`. The statements run so far (authentication, rate counts)
   * stand alone.
   */
  begin(userId: string | null, options?: BeginOptions): Promise<void>;
  /**
   * The same, deferred to the request's first service transaction: the statements before it run
   * alone, autocommitted (a sign-in's attempt counts and its user lookup hold no lock while the
   * password is checked).
   */
  beginWithFirstTransaction(userId: string | null): void;
  /**
   * Commits, releases the connection and runs the after-commit effects. Throws, having rolled back
   * and released, when the commit fails or PostgreSQL answers it with a rollback.
   */
  commit(): Promise<void>;
  /** Rolls back what the transaction did, releases the connection; its effects are dropped. */
  rollback(): Promise<void>;
}

export const UnitOfWork = {
  /** Runs one request; a unit of work may be opened inside it. */
  scope<T>(fn: () => T): T {
    return scopes.run({}, fn);
  },

  /**
   * Checks out the request's one connection and makes the request's statements run on it. The
   * caller owns it: every path must end in `commit` or `rollback`.
   */
  async open(dataSource: DataSource): Promise<OpenUnitOfWork> {
    const scope = scopes.getStore();
    if (!scope) throw new Error('UnitOfWork.open outside UnitOfWork.scope');
    if (scope.work) throw new Error('a unit of work is already open for this request');
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    const work: Work = { runner, queue: Promise.resolve(), begun: false, deferred: [], statements: 0, cleanAt: -1 };
    scope.work = work;
    owned.set(runner, work);
    const client = await pgClientOf(runner);
    const unwatch = watch(client, (args) => {
      work.statements++;
      if (work.withBegin !== undefined && args[0] === 'START TRANSACTION' && args[1] === undefined) {
        args[0] = `START TRANSACTION; ${work.withBegin}`;
        work.withBegin = undefined;
      }
      return work.hold && restarting.getStore() !== work ? work.hold : undefined;
    });
    const defaultIsolation = (dataSource.options as { isolationLevel?: IsolationLevel }).isolationLevel;
    const start = async (userId: string | null, options: BeginOptions = {}): Promise<void> => {
      work.lazyBegin = undefined;
      work.restart = () => start(userId, options);
      const user = userId ?? NOBODY;
      const isolation = options.isolation;
      const settings = options.synchronousCommit === false ? `, set_config('synchronous_commit', 'off', true)` : '';
      // One round trip: BEGIN and the user's name go together, as one simple query (no
      // parameters, so the id goes into the text, and only a well-formed one). An isolation level
      // is set by a statement of its own right after BEGIN, before any query: not then.
      const folded = UUID.test(user) && isolation === undefined && defaultIsolation === undefined;
      work.withBegin = folded ? `SELECT set_config('hearth.user_id', '${user}', true)${settings}` : undefined;
      try {
        await runner.startTransaction(isolation);
      } finally {
        work.withBegin = undefined;
      }
      work.begun = true;
      if (!folded) await runner.query(`SELECT set_config('hearth.user_id', $1, true)${settings}`, [user]);
      work.cleanAt = work.statements;
    };
    let finished = false;
    const finish = async (committed: boolean): Promise<void> => {
      if (finished) return;
      finished = true;
      try {
        await work.queue;
        if (committed && work.broken !== undefined) throw work.broken;
        if (committed && runner.isTransactionActive) await commitChecked(runner);
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        committed = false;
        throw error;
      } finally {
        if (!committed && runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        if (scope.work === work) scope.work = undefined;
        owned.delete(runner);
        unwatch();
        await runner.release().catch(() => undefined);
        if (committed) for (const effect of work.deferred) await effect();
      }
    };
    return {
      runner,
      async begin(userId, options) {
        await work.queue;
        await start(userId, options);
      },
      beginWithFirstTransaction(userId) {
        work.lazyBegin = () => start(userId);
      },
      commit: () => finish(true),
      rollback: () => finish(false),
    };
  },

  /**
   * A value made once per request, such as a DataLoader: its batches then run in that request's
   * unit of work, never in another request's. Undefined outside a request.
   */
  perRequest<T>(key: symbol, create: () => T): T | undefined {
    const scope = scopes.getStore();
    if (!scope) return undefined;
    scope.locals ??= new Map();
    if (!scope.locals.has(key)) scope.locals.set(key, create());
    return scope.locals.get(key) as T;
  },

  active(): boolean {
    return scopes.getStore()?.work !== undefined;
  },

  /**
   * @internal For DomainEvents: when `runner` is an open unit of work's, in its transaction, its
   * after-commit effects wait for the real commit and the connection's release. Returns false
   * otherwise (the caller runs them now).
   */
  deferEffects(runner: QueryRunner, run: () => Promise<void>): boolean {
    const work = owned.get(runner);
    if (!work?.begun) return false;
    work.deferred.push(run);
    return true;
  },
};

/**
 * COMMIT, and a check of what PostgreSQL did: in a transaction where a statement failed outside
 * any savepoint, COMMIT succeeds but rolls back. The command tag is the only sign of it.
 */
async function commitChecked(runner: QueryRunner): Promise<void> {
  const client = await pgClientOf(runner);
  let command: string | undefined;
  const unwatch = watch(client, undefined, (result) => (command = result?.command));
  try {
    await runner.commitTransaction();
  } finally {
    unwatch();
  }
  if (command !== 'COMMIT') throw new UnitOfWorkRolledBack(`the transaction ended in ${command ?? 'nothing'}`);
}

interface PgClient {
  query: (...args: unknown[]) => Promise<{ command?: string } | undefined>;
}

function pgClientOf(runner: QueryRunner): Promise<PgClient> {
  return runner.connect() as Promise<PgClient>;
}

/**
 * Sees every statement sent on `client` (TypeORM's, and the prepared ones that bypass it) until
 * the returned function is called, which puts back the method the client had.
 */
function watch(
  client: PgClient,
  sent?: (args: unknown[]) => Promise<void> | undefined,
  answered?: (result: { command?: string } | undefined) => void,
): () => void {
  const own = Object.getOwnPropertyDescriptor(client, 'query');
  const query = client.query;
  client.query = (...args: unknown[]) => {
    const wait = sent?.(args);
    const result = wait ? wait.then(() => query.apply(client, args)) : query.apply(client, args);
    return answered ? result.then((r) => (answered(r), r)) : result;
  };
  return () => {
    if (own) Object.defineProperty(client, 'query', own);
    else delete (client as { query?: unknown }).query; // the client's own method again
  };
}

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

/**
 * The first service transaction of a unit of work in which nothing else has run since BEGIN: it
 * runs in the transaction itself. Should it fail, ROLLBACK and BEGIN again (for the same user)
 * leave the transaction as a rollback to a savepoint right after BEGIN would have: empty. Its
 * after-commit effects and before-commit steps are dropped with the rollback, as with a savepoint.
 */
async function inTransaction<T>(work: Work, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  work.cleanAt = -1;
  try {
    return await inside.run(work, () => fn(work.runner.manager));
  } catch (error) {
    let done!: () => void;
    work.hold = new Promise((resolve) => (done = resolve));
    try {
      await restarting.run(work, async () => {
        await work.runner.rollbackTransaction();
        await work.restart!();
      });
    } catch (broken) {
      work.broken = broken instanceof Error ? broken : new Error(String(broken));
    } finally {
      work.hold = undefined;
      done();
    }
    throw error;
  }
}

function joined<T>(work: Work, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (inside.getStore() === work) return inSavepoint(work, fn);
  const run = work.queue.then(async () => {
    if (work.broken !== undefined) throw work.broken;
    await work.lazyBegin?.();
    const clean = work.cleanAt === work.statements && work.runner.isTransactionActive && work.restart !== undefined;
    return clean ? inTransaction(work, fn) : inSavepoint(work, fn);
  });
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
