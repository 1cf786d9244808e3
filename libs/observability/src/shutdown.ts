import type { Logger } from 'pino';

/** Kubernetes waits 30 s by default; everything is closed well before that. */
export const SHUTDOWN_DEADLINE_MS = 25_000;

/**
 * On SIGTERM or SIGINT (Ctrl-C), once: run `close` (drain, then release resources in order) and
 * exit 0, or exit 1 if it has not finished within the deadline.
 */
export function exitOnSignals(logger: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    try {
      await close();
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
    }
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
