/**
 * Bounded polling, for what no event announces (a background loop's effect in the database).
 * Resolves as soon as `check` holds; fails naming `what` after `timeoutMs`.
 */
export async function eventually(
  check: () => Promise<boolean>,
  {
    what = 'the condition',
    timeoutMs = 10_000,
    intervalMs = 20,
  }: { what?: string; timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
