import 'reflect-metadata';
import { loadConfig, type HearthConfig } from '@hearth/config';
import { openDatabase } from '@hearth/database';
import { createLogger, exitOnSignals } from '@hearth/observability';
import { failureLine } from './cli/run-cli.js';
import { DEMO_IDP_LOGINS, DEMO_IDP_PASSWORD, startDemoIdentityProvider } from './demo/demo-identity-provider.js';
import { DEMO_PASSWORD } from './demo/demo-partnership.js';
import type { RunningIdentityProvider } from './demo/identity-provider.js';
import { demoAccountsTable } from './demo/demo-seeder.js';
import { startHearth } from './hearth.js';

/** Hearth on the configured database, or on an embedded PostgreSQL when none is configured. */
async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config);
  let database;
  try {
    database = await openDatabase(config, (line) => logger.warn(line));
  } catch (error) {
    exitWith(error);
  }
  let hearth;
  try {
    hearth = await startHearth(config, database.url, logger, database.appUrl);
  } catch (error) {
    await database.close();
    exitWith(error);
  }

  // The demo police force signs in through an identity provider of its own (never in production).
  let idp: RunningIdentityProvider | undefined;
  if (hearth.demo !== 'not-requested' && config.nodeEnv !== 'production') {
    try {
      idp = await startDemoIdentityProvider(config, hearth.app);
    } catch (error) {
      logger.warn({ err: error }, 'the demo identity provider did not start');
    }
  }

  const { url } = hearth;
  logger.info({ url, graphql: `${url}/graphql`, embeddedDatabase: database.embedded }, `Hearth is listening on ${url}`);
  printBanner(config, url, database.embedded, hearth.demo !== 'not-requested', idp?.issuer);

  exitOnSignals(logger, async () => {
    try {
      await idp?.close();
      await hearth.close();
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
  process.stderr.write(`${failureLine(error)}\n`);
  process.exit(1);
}

function printBanner(config: HearthConfig, url: string, embedded: boolean, demo: boolean, idp?: string): void {
  if (config.nodeEnv !== 'production') {
    const lines = [
      '',
      `  Hearth ${embedded ? '(embedded PostgreSQL in ' + config.dataDir + ')' : ''}`,
      `    GraphQL  ${url}/graphql`,
      `    Health   ${url}/health/ready`,
      `    Metrics  ${url}/metrics`,
      '',
      ...(demo ? [`  Demo accounts (password "${DEMO_PASSWORD}"):`, demoAccountsTable(), ''] : []),
      ...(idp
        ? [
            `  Northshire Police's identity provider (demo)  ${idp}`,
            `    "Sign in with Northshire Police" at ${config.publicUrl}/ ; at the provider, login ${Object.keys(DEMO_IDP_LOGINS).join(' or ')}, password "${DEMO_IDP_PASSWORD}"`,
            '',
          ]
        : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
}

await main();
