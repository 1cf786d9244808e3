import { Global, Inject, Injectable, Logger, Module, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  TransactionStartEvent,
} from 'typeorm';
import { UnitOfWork } from './unit-of-work.js';

/**
 * Every domain event and its payload. Empty here: the lib that publishes an event adds it by
 * declaration merging, so the name fixes the payload type everywhere:
 *
 *     declare module '@hearth/database' {
 *       interface DomainEventMap {
 *         'timeline.event-posted': PostedEvent;
 *       }
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface DomainEventMap {}

export type DomainEventName = Extract<keyof DomainEventMap, string>;

/** Runs inside the publishing transaction; what it writes through `manager` commits or rolls back with it. */
export type DomainEventHandler<N extends DomainEventName> = (
  manager: EntityManager,
  payload: DomainEventMap[N],
) => Promise<void> | void;

/** Runs once the transaction has committed (a socket doorbell, an outbound delivery). */
export type AfterCommitEffect = () => Promise<void> | void;

/** Runs in the transaction, once, just before it commits: what it writes commits with it. */
export type BeforeCommitStep = (manager: EntityManager) => Promise<void> | void;

/** Told when an effect fails after its transaction committed: the commit stands. */
export type EffectErrorReporter = (error: unknown) => void;

/** Optional provider of an EffectErrorReporter; by default failures go to Nest's logger. */
export const EFFECT_ERROR_REPORTER = Symbol('EFFECT_ERROR_REPORTER');

const logger = new Logger('DomainEvents');

interface TransactionState {
  /** 0 outside a transaction, 1 in it, 2 in its first savepoint, … */
  depth: number;
  pending: Pending[];
  closing: Closing[];
}

interface Closing {
  readonly depth: number;
  readonly step: BeforeCommitStep;
}

interface Pending {
  /** The transaction depth (1 = the transaction, 2 = its first savepoint, …) that queued it. */
  readonly depth: number;
  readonly effect: AfterCommitEffect;
}

/**
 * The one way a lower lib lets higher ones act on what it does, without importing them.
 *
 * `publish` runs every handler of the event inside the publishing transaction, in registration
 * order, one after the other; a handler that throws fails the publish and so the transaction.
 * `afterCommit` queues an effect for after the transaction commits: it runs exactly once then,
 * never after a rollback, and an effect queued inside a savepoint that is rolled back is dropped
 * with the savepoint (the transaction around it may still commit). Commits and rollbacks are
 * observed through a TypeORM subscriber on the data source, so any `transaction()` counts.
 */
@Injectable()
export class DomainEvents {
  private readonly handlers = new Map<string, Array<DomainEventHandler<DomainEventName>>>();
  private readonly states = new WeakMap<QueryRunner, TransactionState>();
  /** The data sources whose transactions are observed: the application's, and the system's. */
  private readonly watched = new Set<DataSource>();

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Optional()
    @Inject(EFFECT_ERROR_REPORTER)
    private readonly reportEffectError: EffectErrorReporter = (error) =>
      logger.error('an after-commit effect failed', error instanceof Error ? error.stack : String(error)),
  ) {
    this.watch(dataSource);
  }

  /** Observes `dataSource`'s transactions too (the system's connections), once it is initialized. */
  watch(dataSource: DataSource): void {
    if (this.watched.has(dataSource)) return;
    this.watched.add(dataSource);
    dataSource.subscribers.push(new TransactionEndSubscriber(this));
  }

  /** Subscribes `handler` to `name`; returns the function that unsubscribes it. */
  on<N extends DomainEventName>(name: N, handler: DomainEventHandler<N>): () => void {
    const list = this.handlers.get(name) ?? [];
    const added = handler as DomainEventHandler<DomainEventName>;
    list.push(added);
    this.handlers.set(name, list);
    return () => {
      const index = list.indexOf(added);
      if (index >= 0) list.splice(index, 1);
    };
  }

  /** Runs the handlers of `name` in `manager`'s transaction, in registration order. */
  async publish<N extends DomainEventName>(manager: EntityManager, name: N, payload: DomainEventMap[N]): Promise<void> {
    this.transactionOf(manager, `publish('${name}')`);
    for (const handler of [...(this.handlers.get(name) ?? [])]) await handler(manager, payload);
  }

  /** Queues `effect` to run once `manager`'s transaction has committed; dropped on rollback. */
  afterCommit(manager: EntityManager, effect: AfterCommitEffect): void {
    const runner = this.transactionOf(manager, 'afterCommit');
    const state = this.stateOf(runner);
    state.pending.push({ depth: Math.max(state.depth, 1), effect });
  }

  /**
   * Queues `step` to run in `manager`'s transaction just before its COMMIT, after everything else
   * it does: for work that takes locks others wait on, so they are held for the commit only. It
   * runs once (not when a savepoint is released), in queueing order; it is dropped with a
   * savepoint that rolls back; a step that throws fails the commit.
   */
  beforeCommit(manager: EntityManager, step: BeforeCommitStep): void {
    const runner = this.transactionOf(manager, 'beforeCommit');
    const state = this.stateOf(runner);
    state.closing.push({ depth: Math.max(state.depth, 1), step });
  }

  /** @internal From the subscriber: `runner` is about to commit the transaction or release a savepoint. */
  async committing(runner: QueryRunner): Promise<void> {
    const state = this.states.get(runner);
    if (!state || state.depth > 1) return;
    // A step may queue more (a handler of what it publishes): run until none is left.
    for (let next = state.closing.shift(); next; next = state.closing.shift()) await next.step(runner.manager);
  }

  /** @internal From the subscriber: `runner` began a transaction or a savepoint. */
  started(runner: QueryRunner): void {
    this.stateOf(runner).depth += 1;
  }

  /** @internal From the subscriber: `runner` committed the transaction or released a savepoint. */
  async committed(runner: QueryRunner): Promise<void> {
    const state = this.states.get(runner);
    if (!state) return;
    state.depth = Math.max(state.depth - 1, 0);
    // A released savepoint is not a commit: its effects and steps now belong to the level around
    // it (a later sibling savepoint that rolls back must not take them along).
    if (state.depth > 0) {
      const level = state.depth;
      state.pending = state.pending.map((p) => (p.depth > level ? { ...p, depth: level } : p));
      state.closing = state.closing.map((c) => (c.depth > level ? { ...c, depth: level } : c));
      return;
    }
    this.states.delete(runner);
    const run = async () => {
      for (const { effect } of state.pending) {
        try {
          await effect();
        } catch (error) {
          this.reportEffectError(error);
        }
      }
    };
    // A request's unit of work runs them once its connection is back in the pool.
    if (state.pending.length > 0 && !UnitOfWork.deferEffects(runner, run)) await run();
  }

  /** @internal From the subscriber: `runner` rolled back the transaction or a savepoint. */
  rolledBack(runner: QueryRunner): void {
    const state = this.states.get(runner);
    if (!state) return;
    state.depth = Math.max(state.depth - 1, 0);
    if (state.depth === 0) {
      this.states.delete(runner);
      return;
    }
    // Drop what the rolled-back savepoint queued; the levels around it keep theirs.
    state.pending = state.pending.filter((pending) => pending.depth <= state.depth);
    state.closing = state.closing.filter((closing) => closing.depth <= state.depth);
  }

  private stateOf(runner: QueryRunner): TransactionState {
    let state = this.states.get(runner);
    if (!state) {
      state = { depth: 0, pending: [], closing: [] };
      this.states.set(runner, state);
    }
    return state;
  }

  private transactionOf(manager: EntityManager, what: string): QueryRunner {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error(`DomainEvents.${what} needs a transaction's manager`);
    if (!this.watched.has(manager.connection))
      throw new Error(`DomainEvents.${what}: the transaction is on another data source`);
    return runner;
  }
}

class TransactionEndSubscriber implements EntitySubscriberInterface {
  constructor(private readonly events: DomainEvents) {}

  afterTransactionStart(event: TransactionStartEvent): void {
    this.events.started(event.queryRunner);
  }

  beforeTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    return this.events.committing(event.queryRunner);
  }

  afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    return this.events.committed(event.queryRunner);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.events.rolledBack(event.queryRunner);
  }
}

/** Gives every module the one DomainEvents of the application's data source. */
@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class DomainEventsModule {}
