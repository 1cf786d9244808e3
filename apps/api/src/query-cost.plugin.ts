import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  validate,
  visit,
  type DocumentNode,
  type OperationDefinitionNode,
  type ValidationRule,
  type ValueNode,
} from 'graphql';

/** The arguments the cost rule multiplies by: a page size. */
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last']);

/**
 * The cost rule runs at validation, before variables are known, so it counts only a page size
 * written into the query (`first: 100`) and a script passing `first: $n` would be priced as one
 * row. Once the operation is resolved this hook writes each page-size variable's value into the
 * operation and runs the same rules again: a costly query is refused with BAD_USER_INPUT however
 * its page sizes arrive. It throws synchronously, before the mutation gate counts or claims
 * anything for a request it refuses.
 */
export function queryCostWithVariables(rules: readonly ValidationRule[]): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ schema, document, operation, request }) => {
          if (!operation) return Promise.resolve();
          const priced = withPageSizes(document, operation, request.variables ?? {});
          if (!priced) return Promise.resolve();
          const [refusal] = validate(schema, priced, rules);
          if (refusal) {
            throw new GraphQLError(refusal.message.replace(/^Syntax Error: /, ''), {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
          return Promise.resolve();
        },
      }),
  };
}

/**
 * The document with the operation's page-size variables replaced by their values (given, or
 * the variable's default); undefined when no page size comes from a variable.
 */
function withPageSizes(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): DocumentNode | undefined {
  const defaults = new Map<string, ValueNode | undefined>(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue]),
  );
  const valueOf = (name: string): number | undefined => {
    const given = variables[name];
    if (given !== undefined) return Number.isSafeInteger(given) ? (given as number) : undefined;
    const fallback = defaults.get(name);
    return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
  };
  let changed = false;
  // Only this operation (and the fragments it may spread) is priced, with its own variables.
  const own: DocumentNode = {
    ...document,
    definitions: document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
  };
  const priced = visit(own, {
    Argument(node) {
      if (!PAGE_SIZE_ARGUMENTS.has(node.name.value) || node.value.kind !== Kind.VARIABLE) return undefined;
      const value = valueOf(node.value.name.value);
      if (value === undefined) return undefined;
      changed = true;
      return { ...node, value: { kind: Kind.INT, value: String(value) } };
    },
  });
  return changed ? priced : undefined;
}
