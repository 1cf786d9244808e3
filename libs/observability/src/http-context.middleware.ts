import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import { RequestContext } from './request-context.js';

const SAFE_REQUEST_ID = /^[\w.-]{8,64}$/;

type Next = (error?: unknown) => void;
interface RoutedRequest extends IncomingMessage {
  route?: { path?: string };
  ip?: string;
}

/**
 * Gives every request an id (a caller's `X-Request-Id` when it is well formed), runs the rest
 * of the request inside its context, and logs one line when it ends. The path is logged without
 * its query string.
 */
export function httpContextMiddleware(logger: Logger, metrics: Metrics) {
  return (req: RoutedRequest, res: ServerResponse, next: Next): void => {
    const offered = req.headers['x-request-id'];
    const requestId = typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ?? (path.startsWith('/socket.io') ? '/socket.io' : 'unmatched');
      metrics.httpRequestDuration.observe(
        { method: req.method ?? 'GET', route, status: String(res.statusCode) },
        seconds,
      );
      logger.info(
        { reqId: requestId, method: req.method, path, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 },
        'request completed',
      );
    });
    const userAgent = req.headers['user-agent'];
    RequestContext.run({ requestId, clientAddress: req.ip ?? req.socket.remoteAddress, userAgent }, () => next());
  };
}
