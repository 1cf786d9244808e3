import { ModulesContainer, NestFactory } from '@nestjs/core';
import { AlertScheduler } from '@hearth/alerts';
import { OutboxWorker } from '@hearth/notify';
import { undeclaredHandlers } from '@hearth/authz';
import { HearthIoAdapter } from '@hearth/realtime';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HearthConfig } from '@hearth/config';
import { grantApplicationRole, migrate, UnitOfWork } from '@hearth/database';
import { Housekeeping } from '@hearth/mutation-gate';
import { httpContextMiddleware, Metrics, NestPinoLogger, type Logger } from '@hearth/observability';
import { AppModule } from './app.module.js';
import { DemoSeeder, type SeedOutcome } from './demo/demo-seeder.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { serveWebClient } from './web-client.js';

export interface RunningHearth {
  readonly app: NestExpressApplication;
  /** Whether the demo partnership was seeded by this start (or already there). */
  readonly demo: SeedOutcome | 'not-requested';
  /** Base URL, such as http://127.0.0.1:3000 */
  readonly url: string;
  /** Drains HTTP and closes the pool; the database itself belongs to the caller. */
  close(): Promise<void>;
}

/**
 * Builds the API on a database, applies pending migrations if configured, and listens. With an
 * `appUrl` other than `databaseUrl` (the embedded database), the migrations run as the
 * administrator, the application role is given its rights, and the API connects as that role.
 */
export async function startHearth(
  config: HearthConfig,
  migrationUrl: string,
  logger: Logger,
  appUrl: string = migrationUrl,
): Promise<RunningHearth> {
  if (config.migrationsRun) {
    const applied = await migrate(migrationUrl);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
  }
  if (appUrl !== migrationUrl) await grantApplicationRole(migrationUrl);
  const databaseUrl = appUrl;
  const metrics = new Metrics();
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ config, databaseUrl, logger, metrics }),
    // abortOnError false: a module that cannot start rejects here (the caller says why), never exits.
    {
      logger: new NestPinoLogger(logger),
      bufferLogs: false,
      forceCloseConnections: true,
      bodyParser: false,
      abortOnError: false,
    },
  );
  const production = config.nodeEnv === 'production';
  app.set('trust proxy', config.trustedProxyHops);
  app.disable('x-powered-by');
  // The body is read before the request context is entered: stream callbacks would lose it.
  app.useBodyParser('json', { limit: '256kb' });
  app.use(httpContextMiddleware(logger, metrics));
  const drain = new Drain();
  app.use(drain.middleware);
  // Each GraphQL operation runs as one unit of work on one connection (see @hearth/mutation-gate).
  app.use((_req: unknown, _res: unknown, next: () => void) => UnitOfWork.scope(next));
  app.use(helmet({ contentSecurityPolicy: production ? undefined : false, crossOriginEmbedderPolicy: false }));
  app.enableCors({ origin: [...config.allowedOrigins], credentials: false });
  if (!serveWebClient(app, config.webRoot)) logger.info({ webRoot: config.webRoot }, 'no web client build to serve');
  app.useGlobalFilters(new HttpExceptionFilter(logger));
  const sockets = new HearthIoAdapter(app, {
    databaseUrl,
    redisUrl: config.redisUrl,
    cluster: config.socketAdapter,
    allowedOrigins: config.allowedOrigins,
    onError: (error) => logger.warn({ err: error }, 'socket adapter error'),
  });
  app.useWebSocketAdapter(sockets);

  await app.init();
  const undeclared = undeclaredHandlers(app.get(ModulesContainer));
  if (undeclared.length > 0) {
    await app.close();
    throw new Error(`handlers without an access declaration (deny by default): ${undeclared.join(', ')}`);
  }
  const demo = config.seedDemo ? await app.get(DemoSeeder).seed() : 'not-requested';
  if (demo === 'seeded') logger.info('seeded the demo partnership');
  await app.listen(config.port, config.host);
  // Longer than the idle timeout of common load balancers (60 s), so that they, not Hearth, close
  // idle connections: a request racing a server-side close is reset (seen on busy machines).
  const server: Server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Escalations and time-based rules run here unless a separate worker does them.
  if (config.runWorker) {
    app.get(AlertScheduler).start(config.schedulerIntervalMs);
    app.get(Housekeeping).start();
    app.get(OutboxWorker).start(config.outboxIntervalMs);
  }
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  return {
    app,
    url,
    demo,
    async close() {
      // Stop accepting, let the requests in flight finish (their transactions commit), then close.
      const server = app.getHttpServer();
      server.close();
      await drain.finish(() => server.closeIdleConnections(), DRAIN_MS);
      await app.close();
    },
  };
}

/** In-flight requests get this long to finish on shutdown (the process deadline is 25 s). */
const DRAIN_MS = 15_000;

/** Counts the requests in flight; once draining, refuses new ones with 503 and Connection: close. */
class Drain {
  private inFlight = 0;
  private draining = false;
  private idle: (() => void) | undefined;

  readonly middleware = (_req: unknown, res: ServerResponse, next: () => void): void => {
    if (this.draining) {
      res.setHeader('connection', 'close');
      res.statusCode = 503;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ code: 'UNAVAILABLE', message: 'Hearth is shutting down; try again' }));
      return;
    }
    this.inFlight++;
    res.once('close', () => {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    });
    next();
  };

  async finish(closeIdle: () => void, deadlineMs: number): Promise<void> {
    this.draining = true;
    closeIdle();
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => (this.idle = resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs))),
    ]);
    clearTimeout(timer);
    // Keep-alive connections that went idle while draining.
    closeIdle();
  }
}
