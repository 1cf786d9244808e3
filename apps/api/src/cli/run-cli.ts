import { ConfigError } from '@hearth/config';
import { isStartupError } from '@hearth/database';

/** A startup or command failure as the one line a user sees; a stack only for the unexpected. */
export function failureLine(error: unknown): string {
  if (error instanceof ConfigError) return `hearth: configuration error: ${error.message}`;
  if (isStartupError(error) || (error instanceof Error && error.message.startsWith('usage:'))) {
    return `hearth: ${error.message}`;
  }
  return `hearth: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** Runs a command-line task; a failure is reported by failureLine and exit code 1. */
export async function runCli(task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (error) {
    process.stderr.write(`${failureLine(error)}\n`);
    process.exitCode = 1;
  }
}
