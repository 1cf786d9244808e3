import type { ModulesContainer } from '@nestjs/core';
import { ACCESS_KEY } from './access.decorators.js';

const RESOLVER_TYPE = 'graphql:resolver_type';
const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);
const ROUTE_PATH = 'path';
const ROUTE_METHOD = 'method';
const SOCKET_MESSAGE = 'message';

type Handler = (...args: unknown[]) => unknown;

/**
 * Every GraphQL operation, HTTP route and socket event handler of the application that does not
 * declare what it needs (as "Query.me", "GET /health/live", …). Hearth refuses to start when
 * this is not empty, and the guard refuses such handlers at run time too.
 */
export function undeclaredHandlers(modules: ModulesContainer): string[] {
  const found: string[] = [];
  for (const module of modules.values()) {
    const classes = [...module.providers.values(), ...module.controllers.values()]
      .map((wrapper) => wrapper.metatype)
      .filter((type): type is new (...args: never[]) => object => typeof type === 'function');
    for (const type of new Set(classes)) {
      const proto = type.prototype as Record<string, unknown>;
      for (const name of methodNames(proto)) {
        const method = proto[name] as Handler;
        const kind = handlerKind(type, method);
        if (!kind) continue;
        const declared: unknown = Reflect.getMetadata(ACCESS_KEY, method) ?? Reflect.getMetadata(ACCESS_KEY, type);
        if (!declared) found.push(`${kind} ${type.name}.${name}`);
      }
    }
  }
  return found.sort();
}

function handlerKind(type: object, method: Handler): string | undefined {
  const resolverType: unknown = Reflect.getMetadata(RESOLVER_TYPE, method);
  if (typeof resolverType === 'string' && ROOT_TYPES.has(resolverType)) return resolverType;
  const isController = Reflect.getMetadata(ROUTE_PATH, type) !== undefined;
  if (
    isController &&
    Reflect.getMetadata(ROUTE_PATH, method) !== undefined &&
    Reflect.getMetadata(ROUTE_METHOD, method) !== undefined
  ) {
    return 'route';
  }
  if (Reflect.getMetadata(SOCKET_MESSAGE, method) !== undefined) return 'socket';
  return undefined;
}

function methodNames(proto: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(p, name)?.value === 'function')
        names.add(name);
    }
  }
  return [...names];
}
