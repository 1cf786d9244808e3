import 'reflect-metadata';
import { loadConfig } from '@hearth/config';
import { migrate, openDatabase } from '@hearth/database';
import { createLogger } from '@hearth/observability';
import { DEMO_PASSWORD } from '../demo/demo-partnership.js';
import { demoAccountsTable } from '../demo/demo-seeder.js';
import { seedDemoDatabase } from '../demo/seed-database.js';
import { runCli } from './run-cli.js';

/** Seeds the demo partnership into the configured database (never in production). */
await runCli(async () => {
  const config = loadConfig();
  if (config.nodeEnv === 'production') throw new Error('usage: the demo is never seeded when NODE_ENV=production');
  const database = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
  try {
    await migrate(database.url);
    const outcome = await seedDemoDatabase(config, database.url, createLogger({ ...config, logLevel: 'warn' }));
    process.stdout.write(
      outcome === 'seeded'
        ? `seeded the demo partnership; accounts (password "${DEMO_PASSWORD}"):\n${demoAccountsTable()}\n`
        : 'the demo partnership is already there\n',
    );
  } finally {
    await database.close();
  }
});
