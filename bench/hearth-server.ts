// Hearth (S) in a process of its own, so that the load generator does not share its event loop.
// The parent passes the environment; this process sends { url } once it listens.
import { loadConfig } from '@hearth/config';
import { createLogger } from '@hearth/observability';
import { startHearth } from '../apps/api/src/hearth.js';

const config = loadConfig({ ...process.env });
const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const hearth = await startHearth(config, databaseUrl, createLogger(config));
process.send?.({ url: hearth.url, demo: hearth.demo });

const stop = () => {
  void hearth.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
