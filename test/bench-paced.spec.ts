import { describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pacedPosts } from '../bench/paced.js';

// The benchmark's fixed-rate rows are only fair if the load is an open loop: requests leave on
// schedule whatever the server does, and each is timed from when it was due.

interface Seen {
  at: number;
  open: number;
}

async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  let open = 0;
  const server: Server = createServer((req, res) => {
    open++;
    seen.push({ at: performance.now(), open });
    res.once('finish', () => open--);
    req.resume();
    req.once('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const post = (url: string, rate: number, seconds: number) =>
  pacedPosts({ url, body: '{}', headers: {}, rate, seconds, warmupSeconds: 0 });

describe('load at a fixed rate (bench/paced.ts)', () => {
  it('sends on schedule while earlier requests are still unanswered, spread over the window', async () => {
    const server = await serve((_req, res) => setTimeout(() => res.end('{}'), 200));
    try {
      const started = performance.now();
      const result = await post(server.url, 40, 1);
      expect(result).toMatchObject({ count: 40, errors: 0 });
      // A closed loop on one connection would have one open request; at 40/s with 200 ms
      // answers about eight are open at once.
      expect(Math.max(...server.seen.map((s) => s.open))).toBeGreaterThanOrEqual(4);
      // Not a burst: the last of the 40 is due 39 intervals of 25 ms in, and none leaves early.
      expect(server.seen.at(-1)!.at - started).toBeGreaterThanOrEqual(39 * 25);
      expect(result.p50).toBeGreaterThanOrEqual(200);
    } finally {
      await server.close();
    }
  });

  it('counts the time a request waited for a late sender (no coordinated omission)', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    try {
      // The generator itself is stalled for 300 ms a third of the way in: the requests due in
      // that time leave late, and their lateness is their latency.
      const stall = setTimeout(() => {
        const until = performance.now() + 300;
        while (performance.now() < until);
      }, 330);
      const result = await post(server.url, 40, 1);
      clearTimeout(stall);
      expect(result).toMatchObject({ count: 40, errors: 0 });
      expect(result.p99).toBeGreaterThanOrEqual(250);
    } finally {
      await server.close();
    }
  });

  it('counts an answer that is not a success as an error, not as a latency', async () => {
    let n = 0;
    const server = await serve((_req, res) => {
      res.statusCode = n++ % 4 === 0 ? 503 : 200;
      res.end('{}');
    });
    try {
      const result = await post(server.url, 40, 1);
      expect(result).toMatchObject({ count: 30, errors: 10 });
    } finally {
      await server.close();
    }
  });
});
