import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { HearthError } from '@hearth/errors';
import { requestOf } from './access.decorators.js';
import { DENIAL_RECORDER, type DenialRecorder } from './principal.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Refusals decided inside a service (NOT_FOUND for a family the caller may not see, FORBIDDEN for
 * an act they may not do) are recorded as DENIED like the guard's, in a transaction of their own
 * since the act's rolled back. The caller still sees only the refusal; an auditor sees who probed
 * which record.
 */
@Injectable()
export class RefusalInterceptor implements NestInterceptor {
  constructor(@Optional() @Inject(DENIAL_RECORDER) private readonly denials?: DenialRecorder) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType<string>();
    if (!this.denials || (type !== 'graphql' && type !== 'http')) return next.handle();
    const graphql = type === 'graphql' ? GqlExecutionContext.create(context) : undefined;
    const info = graphql?.getInfo<{ parentType: { name: string }; fieldName: string }>();
    if (info && !['Query', 'Mutation'].includes(info.parentType.name)) return next.handle();
    const denials = this.denials;
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (!(error instanceof HearthError) || (error.code !== 'NOT_FOUND' && error.code !== 'FORBIDDEN')) {
          return throwError(() => error);
        }
        const request = requestOf(context);
        const operation = info
          ? `${info.parentType.name}.${info.fieldName}`
          : `${context.switchToHttp().getRequest<{ method: string }>().method} ${context.switchToHttp().getRequest<{ route?: { path?: string } }>().route?.path ?? '?'}`;
        const args = graphql?.getArgs<Record<string, unknown>>() ?? {};
        return from(
          denials.recordDenial({
            principal: request.principal,
            operation,
            reason: error.code,
            familyId: familyOf(operation, args),
          }),
        ).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}

/** The family a refused operation was about, when its arguments name one. */
function familyOf(operation: string, args: Record<string, unknown>): string | undefined {
  const input = args['input'];
  const candidates = [
    args['familyId'],
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>)['familyId'] : undefined,
    operation === 'Query.family' ? args['id'] : undefined,
  ];
  return candidates.find((c): c is string => typeof c === 'string' && UUID.test(c));
}
