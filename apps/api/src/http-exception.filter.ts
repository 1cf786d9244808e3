import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { HearthError, httpStatusOf } from '@hearth/errors';
import type { Logger } from '@hearth/observability';

/**
 * Errors on plain HTTP routes become `{ code, message }` with the matching status; anything
 * unexpected is logged and reported as an internal error. GraphQL errors are shaped by the
 * GraphQL options instead, so this filter steps aside for them.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() !== 'http') return exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HearthError) {
      res.status(httpStatusOf(exception.code)).json({ code: exception.code, message: exception.message });
    } else if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      res.status(status).json({ code: status === 404 ? 'NOT_FOUND' : 'BAD_USER_INPUT', message: exception.message });
    } else {
      this.logger.error({ err: exception }, 'internal error while serving HTTP');
      res.status(500).json({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    }
    return undefined;
  }
}
