import type { ApolloDriverConfig } from '@nestjs/apollo';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { environmentIsProduction, type HearthConfig } from '@hearth/config';
import { HearthError, type ErrorCode } from '@hearth/errors';
import type { MutationGate } from '@hearth/mutation-gate';
import type { Logger, Metrics } from '@hearth/observability';
import { queryCostWithVariables } from './query-cost.plugin.js';

/** Codes GraphQL itself raises for a malformed request; clients see them as BAD_USER_INPUT. */
const INPUT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST']);

/** The largest cost a query may have (graphql-armor's measure: fields, depth, page sizes). */
export const MAX_QUERY_COST = 50_000;

export function graphqlOptions(
  config: HearthConfig,
  logger: Logger,
  metrics: Metrics,
  gate: MutationGate,
): ApolloDriverConfig {
  const production = config.nodeEnv === 'production';
  // graphql-js chooses its production build (no cross-realm check in every instanceof) from the
  // environment's NODE_ENV once, when first imported: a configuration passed in any other way
  // comes too late for it (environmentIsProduction in libs/config reads what it read).
  if (production && !environmentIsProduction()) {
    logger.warn('NODE_ENV=production is configured but not set in the environment: GraphQL runs its development build');
  }
  const armor = new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 15 },
    maxDirectives: { n: 10 },
    maxTokens: { n: 2000 },
    // The web client's costliest screens: the caseload with its page of 100 families about 10 000,
    // the timeline with its page of 20 events about 16 500. Page sizes passed as variables count
    // too (queryCostWithVariables).
    costLimit: { maxCost: MAX_QUERY_COST },
    blockFieldSuggestion: { enabled: production },
  }).protect();

  return {
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    introspection: !production,
    graphiql: !production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // The armor's plugin types come from Apollo's CommonJS build; they are the same plugins. No
    // plugin may hook every field (willResolveField): Apollo then wraps each resolver of every
    // request. Cache control is such a plugin, installed by default, and Hearth sends no cache
    // hints (answers are per user); tracing and reporting to Apollo's cloud are off too. The cost
    // check with variables runs before the gate, so a refused query counts for nothing.
    plugins: [
      ...armor.plugins,
      queryCostWithVariables(armor.validationRules),
      gate.plugin(),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ] as unknown as NonNullable<ApolloDriverConfig['plugins']>,
    validationRules: [...armor.validationRules],
    context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
    formatError: (formatted, error) => {
      const shaped = shapeError(formatted, error, logger, production);
      metrics.graphqlErrors.inc({ code: String(shaped.extensions?.['code']) });
      return shaped;
    },
  };
}

function shapeError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
  production: boolean,
): GraphQLFormattedError {
  const shaped = shapeCode(formatted, error, logger);
  // In production no message suggests names (fields, arguments, enum values) of the schema.
  return production ? { ...shaped, message: shaped.message.replace(/\s*Did you mean[^]*$/, '') } : shaped;
}

function shapeCode(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  // A refusal before execution (the mutation gate) arrives wrapped, without a path.
  const original =
    unwrapped instanceof GraphQLError && unwrapped.originalError instanceof HearthError
      ? unwrapped.originalError
      : unwrapped;
  if (original instanceof HearthError) {
    return withCode(formatted, original.code, original.message, original.field, original.retryAfter);
  }
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && INPUT_CODES.has(code)) {
    return withCode(formatted, 'BAD_USER_INPUT', formatted.message);
  }
  // Limits enforced by the armor plugins carry no code of their own.
  if (code === undefined && !(original instanceof Error && original.stack?.includes('/src/'))) {
    if (/^Syntax Error|exceeded|Cannot query field|Unknown argument|Token limit|Query Cost/i.test(formatted.message)) {
      return withCode(formatted, 'BAD_USER_INPUT', formatted.message);
    }
  }
  logger.error({ err: original }, 'internal error while serving GraphQL');
  return withCode(formatted, 'INTERNAL_SERVER_ERROR', 'Internal server error');
}

function withCode(
  formatted: GraphQLFormattedError,
  code: ErrorCode,
  message: string,
  field?: string,
  retryAfter?: number,
): GraphQLFormattedError {
  return {
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code, ...(field ? { field } : {}), ...(retryAfter !== undefined ? { retryAfter } : {}) },
  };
}
