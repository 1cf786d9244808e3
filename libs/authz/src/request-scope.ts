const scopes = new WeakMap<object, Map<symbol, unknown>>();

/**
 * A value made once per request (an ability, a set of DataLoaders) and dropped with it. The
 * request object is the key, so nothing outlives the request.
 */
export function perRequest<T>(request: object, key: symbol, create: () => T): T {
  let scope = scopes.get(request);
  if (!scope) {
    scope = new Map();
    scopes.set(request, scope);
  }
  if (!scope.has(key)) scope.set(key, create());
  return scope.get(key) as T;
}
