import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal, Role } from './principal.js';

/**
 * What a resolver or route needs, declared on it. The global guard refuses anything without a
 * declaration (deny by default).
 */
export type AccessDeclaration =
  { readonly kind: 'public' } | { readonly kind: 'authenticated'; readonly roles: readonly Role[] };

export const ACCESS_KEY = 'hearth:access';

/** No authentication: login, refresh, health. Rare on purpose. */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_KEY, { kind: 'public' } satisfies AccessDeclaration);

/** Any signed-in, active user; what they may see is then decided in SQL by their ability. */
export const Authenticated = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_KEY, { kind: 'authenticated', roles: [] } satisfies AccessDeclaration);

/** A signed-in user holding at least one of these roles. */
export const RequireRoles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(ACCESS_KEY, { kind: 'authenticated', roles } satisfies AccessDeclaration);

export interface RequestWithPrincipal {
  principal?: Principal;
}

/** The request object for an HTTP route or a GraphQL operation. */
export function requestOf(
  context: ExecutionContext,
): RequestWithPrincipal & { headers: Record<string, string | string[] | undefined> } {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{
      req: RequestWithPrincipal & { headers: Record<string, string> };
    }>().req;
  }
  return context.switchToHttp().getRequest();
}

/** The authenticated principal of this request (only on declared, non-public handlers). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = requestOf(context).principal;
  if (!principal) throw new Error('CurrentPrincipal used on a handler that is not authenticated');
  return principal;
});

/** The principal of a request object (for field resolvers, which receive the GraphQL context). */
export function requestPrincipal(request: object): Principal {
  const principal = (request as RequestWithPrincipal).principal;
  if (!principal) throw new Error('no principal on this request');
  return principal;
}
