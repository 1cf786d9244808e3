// Socket fan-out across nodes: messages per second and latency through the PostgreSQL adapter
// (LISTEN/NOTIFY) and the Redis adapter, configured as Hearth configures them. Two socket.io
// servers in two processes; clients connect to node B, one room each (as Hearth's `user:<id>`);
// node A emits to rooms at a fixed offered rate; the clients' process records what arrives.
//
//   SCALING_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379 \
//     node deploy/scaling/fanout.mjs
//
// Without REDIS_URL only the PostgreSQL adapter is measured.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const role = process.argv[2];
const env = process.env;
const CLIENTS = Number(env.FANOUT_CLIENTS || 200);
const RATES = (env.FANOUT_RATES || '500,1000,2000,4000,8000').split(',').map(Number);
const SECONDS = Number(env.FANOUT_SECONDS || 5);

async function adapterFor(kind) {
  if (kind === 'redis') {
    const { createAdapter } = await import('@socket.io/redis-adapter');
    const { Redis } = await import('ioredis');
    const publisher = new Redis(env.REDIS_URL);
    const subscriber = publisher.duplicate();
    return {
      adapter: createAdapter(publisher, subscriber),
      close: () => Promise.all([publisher.quit(), subscriber.quit()]),
    };
  }
  const { createAdapter } = await import('@socket.io/postgres-adapter');
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: env.SCALING_DATABASE_URL, max: 2 });
  await pool.query(`CREATE TABLE IF NOT EXISTS socket_io_attachments (
    id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)`);
  return {
    adapter: createAdapter(pool, { heartbeatInterval: 5000, heartbeatTimeout: 10_000 }),
    close: () => pool.end(),
  };
}

async function node(kind) {
  const { Server } = await import('socket.io');
  const { adapter, close } = await adapterFor(kind);
  const http = createServer();
  const io = new Server(http, { adapter, transports: ['websocket'] });
  io.on('connection', (socket) => void socket.join(`user:${socket.handshake.query.user}`));
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  process.send({ port: http.address().port });
  process.on('message', async (message) => {
    if (message.emit) {
      // Offered load at a fixed rate, in 10 ms ticks: no coordinated omission from waiting on sends.
      const { rate, seconds } = message.emit;
      const start = performance.now();
      let sent = 0;
      while (performance.now() - start < seconds * 1000) {
        const due = Math.floor(((performance.now() - start) / 1000) * rate);
        for (; sent < due; sent++) {
          io.to(`user:${sent % CLIENTS}`).emit('notification', { seq: sent, at: Date.now(), type: 'EVENT_POSTED' });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      process.send({ sent });
    }
    if (message.stop) {
      io.close();
      await close();
      process.exit(0);
    }
  });
}

async function clients(port) {
  const { io } = await import('socket.io-client');
  const sockets = [];
  let received = 0;
  let latencies = [];
  for (let i = 0; i < CLIENTS; i++) {
    const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], query: { user: String(i) } });
    socket.on('notification', (n) => {
      received++;
      latencies.push(Date.now() - n.at);
    });
    sockets.push(socket);
  }
  await Promise.all(sockets.map((s) => new Promise((r) => (s.connected ? r() : s.once('connect', r)))));
  process.send({ connected: sockets.length });
  process.on('message', (message) => {
    if (message.reset) {
      received = 0;
      latencies = [];
    }
    if (message.report) {
      latencies.sort((a, b) => a - b);
      const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? null;
      process.send({ received, p50: at(0.5), p99: at(0.99) });
    }
    if (message.stop) {
      for (const s of sockets) s.close();
      process.exit(0);
    }
  });
}

function child(...args) {
  const proc = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((r) => proc.once('message', r));
  return { proc, next };
}

async function measure(kind) {
  const a = child('node', kind);
  const b = child('node', kind);
  await a.next();
  const { port } = await b.next();
  const c = child('clients', String(port));
  await c.next();
  await new Promise((r) => setTimeout(r, 1000)); // the adapters' subscriptions settle
  const rows = [];
  for (const rate of RATES) {
    c.proc.send({ reset: true });
    a.proc.send({ emit: { rate, seconds: SECONDS } });
    const { sent } = await a.next();
    await new Promise((r) => setTimeout(r, 2000)); // what is in flight arrives
    c.proc.send({ report: true });
    const { received, p50, p99 } = await c.next();
    rows.push({
      adapter: kind,
      offered: rate,
      sent,
      delivered: Math.round(received / SECONDS),
      p50ms: p50,
      p99ms: p99,
    });
    console.log(JSON.stringify(rows.at(-1)));
    if (received < sent * 0.9) break; // saturated
  }
  for (const p of [a, b, c]) p.proc.send({ stop: true });
  return rows;
}

if (role === 'node') await node(process.argv[3]);
else if (role === 'clients') await clients(Number(process.argv[3]));
else {
  if (!env.SCALING_DATABASE_URL) {
    console.error('set SCALING_DATABASE_URL (a PostgreSQL database the adapter may create its table in)');
    process.exit(1);
  }
  console.log(JSON.stringify({ clients: CLIENTS, seconds: SECONDS, node: process.version }));
  await measure('postgres');
  if (env.REDIS_URL) await measure('redis');
  process.exit(0);
}
