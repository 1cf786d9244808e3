// Load at a fixed rate, as an open loop: request i is due at start + i / rate and is sent then,
// whether or not the earlier ones have answered, and it is timed from that slot, so a send the
// generator itself made late counts as latency (no coordinated omission). autocannon's rate is a
// budget per second per connection, spent back to back as soon as each second begins: a burst of
// the whole second's requests on 16 connections, which times queueing, not the server.
import * as hdr from 'hdr-histogram-js';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/** Calls `send(offset + i, slot)` at each slot of a fixed rate for `seconds`; waits for every answer. */
export async function atFixedRate(
  rate: number,
  seconds: number,
  offset: number,
  send: (i: number, slot: number) => Promise<void>,
): Promise<void> {
  const interval = 1000 / rate;
  const start = performance.now();
  const total = Math.round(seconds * rate);
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const slot = start + i * interval;
    const wait = slot - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(offset + i, slot));
  }
  await Promise.all(inFlight);
}

/** Microseconds, up to a minute. */
export function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

/** Records the time since `slot` (performance.now() ms) in microseconds. */
export function recordSince(into: hdr.Histogram, slot: number): void {
  into.recordValue(Math.max(1, Math.round((performance.now() - slot) * 1000)));
}

export interface PacedResult {
  count: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * POSTs the same body at a fixed rate over kept-alive connections (as many as the open requests
 * need); latencies in ms from each request's slot. A warm-up at the same rate comes first, unmeasured.
 */
export async function pacedPosts(options: {
  url: string;
  body: string;
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  warmupSeconds: number;
}): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const headers = {
    ...options.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(options.body),
  };
  const latencies = histogram();
  let measuring = false;
  let errors = 0;
  const send = (_i: number, slot: number) =>
    new Promise<void>((resolve) => {
      const counted = measuring;
      const req = request(options.url, { method: 'POST', agent, headers }, (res) => {
        res.resume();
        res.once('end', () => {
          if (counted) {
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300)
              recordSince(latencies, slot);
            else errors++;
          }
          resolve();
        });
        res.once('error', () => {
          if (counted) errors++;
          resolve();
        });
      });
      req.once('error', () => {
        if (counted) errors++;
        resolve();
      });
      req.end(options.body);
    });
  try {
    await atFixedRate(options.rate, options.warmupSeconds, 0, send);
    measuring = true;
    const start = performance.now();
    await atFixedRate(options.rate, options.seconds, 0, send);
    const elapsed = (performance.now() - start) / 1000;
    return {
      count: latencies.totalCount,
      rps: latencies.totalCount / elapsed,
      p50: latencies.getValueAtPercentile(50) / 1000,
      p99: latencies.getValueAtPercentile(99) / 1000,
      errors,
    };
  } finally {
    agent.destroy();
  }
}
