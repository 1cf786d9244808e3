import { NestFactory } from '@nestjs/core';
import type { HearthConfig } from '@hearth/config';
import { Metrics, NestPinoLogger, type Logger } from '@hearth/observability';
import { AppModule } from '../app.module.js';
import { DemoSeeder, type SeedOutcome } from './demo-seeder.js';

/** Seeds the demo partnership into a migrated database, without serving anything. */
export async function seedDemoDatabase(
  config: HearthConfig,
  databaseUrl: string,
  logger: Logger,
): Promise<SeedOutcome> {
  const app = await NestFactory.createApplicationContext(
    AppModule.register({ config, databaseUrl, logger, metrics: new Metrics() }),
    { logger: new NestPinoLogger(logger) },
  );
  try {
    return await app.get(DemoSeeder).seed();
  } finally {
    await app.close();
  }
}
