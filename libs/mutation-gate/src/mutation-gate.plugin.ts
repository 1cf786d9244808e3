import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { GraphQLError, OperationTypeNode, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AUTHENTICATOR, FACTS_SOURCE, type Authenticator, type FactsSource, type Principal } from '@hearth/authz';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { hitRateLimits, UnitOfWork, type BeginOptions, type OpenUnitOfWork, type RateLimit } from '@hearth/database';
import { badInput, HearthError, httpStatusOf, rateLimited } from '@hearth/errors';
import { IdempotencyKeyRepository, type Claim, type StoredOutcome } from './idempotency-key.repository.js';

/** The header a client sends to make a mutation safe to retry. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
const PRINTABLE_KEY = /^[\x20-\x7e]{1,255}$/;
const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

interface GateRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly ip?: string;
  readonly socket?: { remoteAddress?: string };
  principal?: Principal;
}

interface GateContext {
  readonly req: GateRequest;
}

/** What one request carries from one hook to the next. */
interface RequestState {
  /** Settles once the unit of work is open (or failed to open): the last hook waits for it. */
  opening?: Promise<void>;
  unit?: OpenUnitOfWork;
  claim?: Claim;
  replay?: StoredOutcome;
}

/**
 * Every GraphQL operation passes here once, after it is known and before it runs, and runs as one
 * unit of work (see @hearth/database): one pooled connection for the whole operation, the
 * session check (with a query's access facts, in one statement, before the transaction), every
 * root field (each a savepoint but the first), every DataLoader batch and every audit entry,
 * DENIED ones included, committed together once the response is ready; after the commit, the
 * effects (socket doorbells) run with the connection back in the pool. The transaction is READ COMMITTED, as each service's transaction was: a statement
 * sees what was committed before it began. A response is sent only once its work has committed;
 * a commit that fails turns it into INTERNAL_SERVER_ERROR.
 *
 * Mutations also get, before their transaction begins (so a rolled-back act still counts):
 *
 * 1. Rate limits, per user and per client address (the address Express derives with the trusted
 *    proxy hops, so a forged X-Forwarded-For changes nothing), counted atomically in PostgreSQL
 *    and shared by every node; each root field of the operation is one hit.
 * 2. An `Idempotency-Key`, when sent by a signed-in user: the key is claimed first thing in the
 *    transaction; the response (data, or domain errors) is stored and committed with the act, and
 *    an internal failure keeps nothing, the key included. A retry gets the stored response and
 *    runs nothing; the same key with another request is CONFLICT.
 */
@Injectable()
export class MutationGate {
  private readonly logger = new Logger('MutationGate');
  private readonly perUser: RateLimit;
  private readonly perAddress: RateLimit;
  /** How a query's transaction commits (HEARTH_READ_SYNCHRONOUS_COMMIT). */
  private readonly readCommit: BeginOptions;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(HEARTH_CONFIG) config: HearthConfig,
    private readonly keys: IdempotencyKeyRepository,
    @Optional() @Inject(FACTS_SOURCE) private readonly facts?: FactsSource,
  ) {
    this.readCommit = config.readSynchronousCommit ? {} : { synchronousCommit: false };
    this.perUser = { limit: config.mutationLimits.perUser, windowSeconds: 60 };
    this.perAddress = { limit: config.mutationLimits.perAddress, windowSeconds: 60 };
  }

  plugin(): ApolloServerPlugin<GateContext> {
    return {
      requestDidStart: () => Promise.resolve(this.listener()),
    };
  }

  private listener(): GraphQLRequestListener<GateContext> {
    const state: RequestState = {};
    return {
      didResolveOperation: async ({ operation, request, contextValue }) => {
        const opening = this.open(state, operation ?? undefined, request, contextValue.req);
        state.opening = opening.catch(() => undefined);
        await opening;
      },
      responseForOperation: () => {
        if (!state.replay) return Promise.resolve(null);
        const headers = new HeaderMap([['idempotent-replayed', 'true']]);
        return Promise.resolve({
          http: { status: state.replay.httpStatus, headers },
          body: { kind: 'single', singleResult: state.replay.response as FormattedExecutionResult },
        });
      },
      willSendResponse: async ({ response }) => {
        await state.opening;
        const unit = state.unit;
        if (!unit) return;
        state.unit = undefined;
        const claim = state.claim;
        state.claim = undefined;
        const body = response.body;
        const result = body.kind === 'single' ? body.singleResult : undefined;
        const internal = !result || result.errors?.some((e) => e.extensions?.['code'] === 'INTERNAL_SERVER_ERROR');
        // A replay ran nothing; a keyed mutation that failed inside keeps nothing, the key
        // included, so the client's retry runs afresh.
        if (state.replay || (claim && internal)) {
          await unit.rollback();
          return;
        }
        try {
          if (claim)
            await this.keys.complete(unit.runner, claim, { httpStatus: response.http.status ?? 200, response: result });
          await unit.commit();
        } catch (error) {
          await unit.rollback();
          this.logger.error({ err: error }, 'could not commit the unit of work of an operation');
          response.body = {
            kind: 'single',
            singleResult: {
              data: null,
              errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
            },
          };
        }
      },
    };
  }

  private async open(
    state: RequestState,
    operation: OperationDefinitionNode | undefined,
    request: { query?: string; operationName?: string | null; variables?: unknown },
    req: GateRequest,
  ): Promise<void> {
    let unit: OpenUnitOfWork;
    try {
      unit = await UnitOfWork.open(this.dataSource);
    } catch (error) {
      throw this.unavailable(error);
    }
    state.unit = unit;
    try {
      const reading = operation?.operation !== OperationTypeNode.MUTATION;
      const principal = await this.principalOf(req, reading);
      const userId = principal?.userId ?? null;
      if (reading) {
        await unit.begin(userId, this.readCommit);
        return;
      }
      await this.limit(req, principal, operation.selectionSet.selections.length);
      const key = idempotencyKey(req);
      if (!principal) {
        // Signing in: its attempt counts stand alone and lock nothing while the password is checked.
        unit.beginWithFirstTransaction(null);
        return;
      }
      await unit.begin(userId);
      if (key === undefined) return;
      const claimed = await this.keys.claim(unit.runner, principal.userId, key, requestHash(request));
      if (claimed.kind === 'replay') state.replay = claimed.outcome;
      else state.claim = claimed.claim;
    } catch (error) {
      // A refused claim leaves the transaction unusable; nothing of it is kept.
      state.unit = undefined;
      await unit.rollback();
      if (error instanceof HearthError) throw asGraphQLError(error);
      throw error instanceof GraphQLError ? error : this.unavailable(error);
    }
  }

  /**
   * The database could not be reached or failed before anything ran: the client is told the
   * service is unavailable (503, like /health/ready), never given the driver's message.
   */
  private unavailable(error: unknown): GraphQLError {
    this.logger.error({ err: error }, 'could not open the unit of work of an operation');
    return new GraphQLError('Internal server error', {
      extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 503 } },
    });
  }

  /** The guard authenticates again only if this did not (it reuses the request's principal). */
  /**
   * A query's access facts come with its session check, in one statement: it writes nothing but
   * its audit entries, so facts read just before its transaction are the ones it would read in it.
   * A mutation reads them in its transaction, where what it wrote before counts.
   */
  private async principalOf(req: GateRequest, reading: boolean): Promise<Principal | undefined> {
    if (req.principal) return req.principal;
    const header = req.headers['authorization'];
    const token = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (!token) return undefined;
    try {
      req.principal = await this.authenticator.authenticate(token, reading ? this.facts : undefined);
      return req.principal;
    } catch {
      return undefined; // the guard refuses it, and records the refusal
    }
  }

  private async limit(req: GateRequest, principal: Principal | undefined, weight: number): Promise<void> {
    const address = req.ip ?? req.socket?.remoteAddress;
    // Counted on every mutation, in one statement of its own before the operation's transaction:
    // the count's COMMIT need not wait for the disk (a crash may forget the last moment's hits).
    const hits = await hitRateLimits(
      this.dataSource,
      [
        ...(address ? [{ key: `mutation:address:${address}`, rule: this.perAddress, weight }] : []),
        ...(principal ? [{ key: `mutation:user:${principal.userId}`, rule: this.perUser, weight }] : []),
      ],
      { flushWait: false },
    );
    const refused = hits.filter((hit) => !hit.allowed);
    if (refused.length > 0)
      throw rateLimited('Too many changes; slow down', Math.max(...refused.map((hit) => hit.retryAfterSeconds)));
  }
}

function idempotencyKey(req: GateRequest): string | undefined {
  const value = req.headers[IDEMPOTENCY_HEADER];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !PRINTABLE_KEY.test(value))
    throw badInput('Idempotency-Key', 'must be 1 to 255 printable ASCII characters');
  return value;
}

/** The operation and its variables, canonically: a retry must be the same request. */
function requestHash(request: { query?: string; operationName?: string | null; variables?: unknown }): Buffer {
  return createHash('sha256')
    .update(JSON.stringify([request.query ?? '', request.operationName ?? null, canonical(request.variables ?? {})]))
    .digest();
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object')
    return Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]);
  return value;
}

function asGraphQLError(error: HearthError): GraphQLError {
  const headers = new HeaderMap();
  if (error.retryAfter !== undefined) headers.set('retry-after', String(error.retryAfter));
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, http: { status: httpStatusOf(error.code), headers } },
  });
}
