import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import type { HearthConfig } from '@hearth/config';
import { RequestContext } from './request-context.js';

export type { Logger } from 'pino';

/** Structured JSON logs; every line written while serving a request carries its `reqId`. */
export function createLogger(config: Pick<HearthConfig, 'logLevel' | 'logPretty'>): Logger {
  return pino({
    level: config.logLevel,
    base: { app: 'hearth' },
    mixin: () => {
      const requestId = RequestContext.current()?.requestId;
      return requestId ? { reqId: requestId } : {};
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.refreshToken'],
      censor: '[redacted]',
    },
    ...(config.logPretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, ignore: 'pid,hostname,app', translateTime: 'SYS:HH:MM:ss.l' },
          },
        }
      : {}),
  });
}

/** Nest's logger interface over pino, so framework messages are structured too. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    // Nest passes the context (a class name) last, and for errors a stack before it.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const fields = context ? { context } : {};
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}
