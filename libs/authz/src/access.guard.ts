import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { forbidden, HearthError, unauthenticated } from '@hearth/errors';
import { ACCESS_KEY, requestOf, type AccessDeclaration } from './access.decorators.js';
import {
  AUTHENTICATOR,
  DENIAL_RECORDER,
  type Authenticator,
  type DenialRecorder,
  type Principal,
} from './principal.js';

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/;

/**
 * The one gate in front of every route and resolver: no declaration, no entry. Authentication
 * happens here once per request; the principal then rides on the request.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Optional() @Inject(DENIAL_RECORDER) private readonly denials?: DenialRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const type = context.getType<string>();
    if (type === 'ws') return this.socketEvent(context);
    if (type !== 'http' && type !== 'graphql') return false;
    // Fields of an object type were authorised with the operation that reached them.
    if (type === 'graphql' && !isRootField(context)) return true;

    const declaration = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const operation = operationName(context);
    if (!declaration) {
      await this.deny(undefined, operation, 'no access declaration');
      throw forbidden();
    }
    if (declaration.kind === 'public') return true;

    const request = requestOf(context);
    const principal = request.principal ?? (await this.authenticate(request.headers['authorization'], operation));
    request.principal = principal;
    if (declaration.roles.length > 0 && !declaration.roles.some((role) => principal.roles.includes(role))) {
      await this.deny(principal, operation, `requires one of ${declaration.roles.join(', ')}`);
      throw forbidden();
    }
    return true;
  }

  /** Sockets authenticate at the handshake; an event still needs its declaration. */
  private socketEvent(context: ExecutionContext): boolean {
    const declaration = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const client = context.switchToWs().getClient<{ data?: { principal?: Principal } }>();
    return declaration !== undefined && (declaration.kind === 'public' || client.data?.principal !== undefined);
  }

  private async authenticate(header: string | string[] | undefined, operation: string): Promise<Principal> {
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match?.[1]) throw unauthenticated();
    try {
      return await this.authenticator.authenticate(match[1]);
    } catch (error) {
      if (error instanceof HearthError && error.code === 'UNAUTHENTICATED') {
        await this.deny(undefined, operation, 'invalid or revoked token');
      }
      throw error;
    }
  }

  private async deny(principal: Principal | undefined, operation: string, reason: string): Promise<void> {
    await this.denials?.recordDenial({ principal, operation, reason });
  }
}

function isRootField(context: ExecutionContext): boolean {
  const info = GqlExecutionContext.create(context).getInfo<{ parentType: { name: string } }>();
  return ['Query', 'Mutation', 'Subscription'].includes(info.parentType.name);
}

function operationName(context: ExecutionContext): string {
  if (context.getType<string>() === 'graphql') {
    const info = GqlExecutionContext.create(context).getInfo<{ parentType: { name: string }; fieldName: string }>();
    return `${info.parentType.name}.${info.fieldName}`;
  }
  const req = context.switchToHttp().getRequest<{ method: string; route?: { path?: string } }>();
  return `${req.method} ${req.route?.path ?? '?'}`;
}
