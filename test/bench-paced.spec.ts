import { describe, expect, it } from '@jest/globals';
import { createServer, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pacedPosts } from '../bench/paced.js';
import { listenOnLoopback } from './support/loopback.js';

// The benchmark's fixed-rate rows are only fair if the load is an open loop: requests leave on
// schedule whatever the server does, and each is timed from when it was due.

const RATE = 40;
const INTERVAL = 1000 / RATE;

/** A loopback server; `arrived(res, n)` is told of the n-th request (from 1) once its body is in. */
async function serve(arrived: (res: ServerResponse, n: number) => void) {
  const seen: Array<{ at: number; open: number }> = [];
  let open = 0;
  const server = createServer((req, res) => {
    open++;
    seen.push({ at: performance.now(), open });
    const n = seen.length;
    res.once('finish', () => open--);
    req.resume();
    req.once('end', () => arrived(res, n));
  });
  const { origin, close } = await listenOnLoopback(server);
  return { url: `${origin}/graphql`, seen, close };
}

const post = (url: string) => pacedPosts({ url, body: '{}', headers: {}, rate: RATE, seconds: 1, warmupSeconds: 0 });

describe('load at a fixed rate (bench/paced.ts)', () => {
  it('sends on schedule while earlier requests are still unanswered, spread over the window', async () => {
    // Each request is answered only once the fourth after it has arrived (the last ones with the
    // 40th): a closed loop would wait for its first answer forever.
    const held: ServerResponse[] = [];
    const server = await serve((res, n) => {
      held.push(res);
      if (held.length > 4) held.shift()!.end('{}');
      if (n === RATE) for (const r of held.splice(0)) r.end('{}');
    });
    try {
      const started = performance.now();
      const result = await post(server.url);
      expect(result).toMatchObject({ count: RATE, errors: 0 });
      expect(Math.max(...server.seen.map((s) => s.open))).toBeGreaterThanOrEqual(5);
      // Not a burst: the last of the 40 is due 39 intervals in, and none leaves early.
      expect(server.seen.at(-1)!.at - started).toBeGreaterThanOrEqual(39 * INTERVAL);
      // Most wait for the fourth request after them, due four intervals after their own.
      expect(result.p50).toBeGreaterThanOrEqual(4 * INTERVAL);
    } finally {
      await server.close();
    }
  });

  it('counts the time a request waited for a late sender (no coordinated omission)', async () => {
    // Once the fifth request is answered, the process (the generator with it) stalls for 600 ms:
    // the two dozen requests due in that time leave late, and their lateness is their latency.
    const server = await serve((res, n) => {
      res.end('{}');
      if (n === 5)
        setImmediate(() => {
          const until = performance.now() + 600;
          while (performance.now() < until);
        });
    });
    try {
      const result = await post(server.url);
      expect(result).toMatchObject({ count: RATE, errors: 0 });
      // Timed from the send, all but at most one would take a millisecond or so.
      expect(result.p50).toBeGreaterThanOrEqual(50);
    } finally {
      await server.close();
    }
  });

  it('counts an answer that is not a success as an error, not as a latency', async () => {
    const server = await serve((res, n) => {
      res.statusCode = n % 4 === 1 ? 503 : 200;
      res.end('{}');
    });
    try {
      const result = await post(server.url);
      expect(result).toMatchObject({ count: 30, errors: 10 });
    } finally {
      await server.close();
    }
  });
});
