/** What a GraphQL response carries; tests read `data` or the first error's code. */
export interface GraphQLResponse<T> {
  readonly status: number;
  readonly data: T | null | undefined;
  readonly errors: ReadonlyArray<{ message: string; extensions?: { code?: string; field?: string } }> | undefined;
}

export interface GraphQLCall {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** Posts one GraphQL operation over real HTTP, as a client would. */
export async function graphql<T = Record<string, unknown>>(
  baseUrl: string,
  call: GraphQLCall,
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...call.headers };
  if (call.token) headers['authorization'] = `Bearer ${call.token}`;
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: call.query, variables: call.variables ?? {} }),
  });
  const text = await res.text();
  let body: { data?: T | null; errors?: GraphQLResponse<T>['errors'] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: res.status, data: body.data, errors: body.errors };
}

/** The data of a call that must succeed; throws with the errors otherwise. */
export async function graphqlData<T = Record<string, unknown>>(baseUrl: string, call: GraphQLCall): Promise<T> {
  const res = await graphql<T>(baseUrl, call);
  if (res.errors?.length || res.data == null) {
    throw new Error(`GraphQL call failed (${res.status}): ${JSON.stringify(res.errors)}`);
  }
  return res.data;
}

/** The `extensions.code` of the first error, for asserting refusals. */
export function errorCode(res: GraphQLResponse<unknown>): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
