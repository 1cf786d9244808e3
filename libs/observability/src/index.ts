export { httpContextMiddleware } from './http-context.middleware.js';
export { createLogger, NestPinoLogger } from './logger.js';
export type { Logger } from './logger.js';
export { Metrics } from './metrics.js';
export { RequestContext } from './request-context.js';
export type { RequestContextData } from './request-context.js';
export { exitOnSignals, SHUTDOWN_DEADLINE_MS } from './shutdown.js';
