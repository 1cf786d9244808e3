// Hearth (S) in a process of its own, so that the load generator does not share its event loop.
// The parent passes the environment; this process sends { url } once it listens, and answers
// { type: 'heap' } with heapUsed after a full GC (when started with --expose-gc), after writing a
// heap snapshot into BENCH_HEAP_SNAPSHOTS when that names a folder.
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { loadConfig } from '@hearth/config';
import { createLogger } from '@hearth/observability';
import { startHearth } from '../apps/api/src/hearth.js';

const config = loadConfig({ ...process.env });
const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) throw new Error('DATABASE_URL is required');
// BENCH_APP_DATABASE_URL: what the API connects as (the application role); migrations use DATABASE_URL.
const appUrl = process.env['BENCH_APP_DATABASE_URL'] ?? databaseUrl;
const hearth = await startHearth(config, databaseUrl, createLogger(config), appUrl);
process.send?.({ url: hearth.url, demo: hearth.demo });

process.on('message', (message: { type?: string }) => {
  if (message.type !== 'heap') return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    process.send?.({ type: 'heap', error: 'start Hearth with --expose-gc' });
    return;
  }
  // Twice: the first pass may leave finalizable objects for the second.
  gc();
  gc();
  const memory = process.memoryUsage();
  const snapshots = process.env['BENCH_HEAP_SNAPSHOTS'];
  if (snapshots) writeHeapSnapshot(join(snapshots, `heap-${Date.now()}.heapsnapshot`));
  process.send?.({ type: 'heap', heapUsed: memory.heapUsed, external: memory.external });
});

const stop = () => {
  void hearth.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
