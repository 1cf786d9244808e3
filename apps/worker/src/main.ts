import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AlertScheduler } from '@hearth/alerts';
import { OutboxWorker } from '@hearth/notify';
import { ConfigError, loadConfig, type HearthConfig } from '@hearth/config';
import { isStartupError, openDatabase, type DatabaseHandle } from '@hearth/database';
import { createLogger, exitOnSignals, NestPinoLogger } from '@hearth/observability';
import { WorkerModule } from './worker.module.js';

/**
 * The worker process: the audit sealer, alert escalation, ABSENCE rules and outbound delivery over the configured
 * database. Run as many as you like; they take turns (FOR UPDATE SKIP LOCKED, advisory locks).
 * Migrations are the API's job.
 */
async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config);
  let database: DatabaseHandle;
  try {
    database = await openDatabase(config, (line) => logger.warn(line));
  } catch (error) {
    exitWith(error);
  }
  let app;
  try {
    app = await NestFactory.createApplicationContext(WorkerModule.register({ config, databaseUrl: database.url }), {
      logger: new NestPinoLogger(logger),
      // A module that cannot start rejects, and the line below says why (not an exit from inside Nest).
      abortOnError: false,
    });
    await app.init();
    app.get(AlertScheduler).start(config.schedulerIntervalMs);
    app.get(OutboxWorker).start(config.outboxIntervalMs);
  } catch (error) {
    await database.close();
    exitWith(error);
  }
  logger.info({ embeddedDatabase: database.embedded }, 'Hearth worker is running');

  exitOnSignals(logger, async () => {
    try {
      await app.close();
    } finally {
      await database.close();
    }
  });
}

function configOrExit(): HearthConfig {
  try {
    return loadConfig();
  } catch (error) {
    exitWith(error);
  }
}

/** Startup failures a user can fix are one line on stderr, without a stack trace. */
function exitWith(error: unknown): never {
  const line =
    error instanceof ConfigError
      ? `hearth worker: configuration error: ${error.message}`
      : isStartupError(error)
        ? `hearth worker: ${error.message}`
        : `hearth worker: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

await main();
