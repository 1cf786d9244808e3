import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';
import { DeliveryLedger } from './delivery-ledger.js';
import type { Delivery } from './doorbell.js';
import { InboxService, toPayload } from './inbox.service.js';
import type { NotificationPayload } from './notification.model.js';
import { NotificationRepository, type NotificationRow } from './notification.repository.js';

export const DELIVERY_SWEEP_INTERVAL = Symbol('DELIVERY_SWEEP_INTERVAL');

/** The event every notification travels as, on every path. */
export const NOTIFICATION_EVENT = 'notification';

/** Rows looked at per user and sweep; a longer backlog is worked through over the next sweeps. */
const ROWS_PER_USER = 200;

interface Watched {
  readonly userId: string;
  readonly ledger: DeliveryLedger;
}

const ledgers = new WeakMap<Socket, Watched>();

/** Notes each notification a socket is sent in its ledger: one listener for every socket (`this`). */
function noteSent(this: Socket, event: string, payload: NotificationPayload): void {
  if (event === NOTIFICATION_EVENT) ledgers.get(this)?.ledger.settle(payload.seq);
}

/**
 * No notification is lost for a client that stays connected. The push after commit is a
 * doorbell that can fail: the socket adapter may be down or reconnecting (a NOTIFY or a Redis
 * message sent meanwhile is gone), or the node that committed may die before it pushes. So each
 * API node keeps, per socket of its own, a ledger of the sequence numbers that went out, and
 * every interval reads, in one query, the inbox rows above each ledger's watermark for the users
 * connected to it. A row missing at two sweeps in a row is sent to that socket alone, after the
 * same audience check as every push (InboxService.stillAllowed): the sweep tells nobody anything
 * a push would not.
 *
 * Why a sweep rather than telling clients to `resume` when the adapter reconnects: a node that
 * crashed between commit and push leaves no adapter event on the other nodes, a lost message
 * leaves none either, and an adapter that never noticed its outage says nothing; the sweep needs
 * no signal and no help from the client. It costs one indexed query per interval per node, and
 * one read of the user's last sequence number per connection.
 *
 * A client may therefore see a `seq` twice (a push that arrives after the sweep gave up on it, a
 * `resume` overlapping a push); it keeps the sequence numbers it has handled and drops repeats.
 */
@Injectable()
export class DeliverySweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DeliverySweep');
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> = Promise.resolve(0);
  private busy = false;
  /** Notifications this node has sent because their push did not come. */
  deliveredTotal = 0;

  constructor(
    private readonly inbox: InboxService,
    private readonly notifications: NotificationRepository,
    @Inject(DELIVERY_SWEEP_INTERVAL) private readonly intervalMs: number,
  ) {}

  attach(server: Server): void {
    this.server = server;
  }

  /** Starts a socket's ledger before it joins its user's room: every notification it is sent is noted. */
  track(socket: Socket, userId: string): void {
    ledgers.set(socket, { userId, ledger: new DeliveryLedger() });
    socket.onAnyOutgoing(noteSent);
  }

  /**
   * Once the socket is in its user's room: the sweep looks above the user's last sequence number
   * as it is now (anything committed later is either pushed to the room or found by the sweep).
   */
  async start(socket: Socket): Promise<void> {
    const entry = ledgers.get(socket);
    if (!entry) return;
    const [lastSeq] = await this.notifications.lastSeqs([entry.userId]);
    entry.ledger.start(lastSeq ?? 0);
  }

  onApplicationBootstrap(): void {
    // A sweep slower than the interval is not queued behind: the next tick after it runs.
    this.timer = setInterval(() => {
      if (!this.busy) void this.run();
    }, this.intervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep (after any still running); resolves with how many notifications it sent. */
  run(): Promise<number> {
    this.busy = true;
    const run = this.running.then(() =>
      this.sweep()
        .catch((error: unknown) => {
          this.logger.warn({ err: error, msg: 'delivery sweep failed; the next one tries again' });
          return 0;
        })
        .finally(() => {
          if (this.running === run) this.busy = false;
        }),
    );
    this.running = run;
    return run;
  }

  private async sweep(): Promise<number> {
    const server = this.server;
    if (!server) return 0;
    const watched: (Watched & { readonly socket: Socket; readonly through: number })[] = [];
    const afterSeq = new Map<string, number>();
    for (const socket of server.sockets.sockets.values()) {
      const entry = ledgers.get(socket);
      const through = entry?.ledger.through;
      if (!entry || through === undefined) continue;
      watched.push({ ...entry, socket, through });
      afterSeq.set(entry.userId, Math.min(afterSeq.get(entry.userId) ?? through, through));
    }
    if (watched.length === 0) return 0;

    const rows = await this.notifications.after(
      [...afterSeq].map(([userId, seq]) => ({ userId, afterSeq: seq })),
      ROWS_PER_USER,
    );
    const byUser = new Map<string, NotificationRow[]>();
    for (const row of rows) {
      const list = byUser.get(row.user_id);
      if (list) list.push(row);
      else byUser.set(row.user_id, [row]);
    }

    const due = watched.map((w) => ({ ...w, rows: byUser.get(w.userId) ?? [], overdue: [] as NotificationRow[] }));
    const candidates = new Map<string, Delivery>();
    for (const w of due) {
      w.overdue = w.ledger.overdue(w.rows);
      for (const row of w.overdue) {
        candidates.set(`${row.user_id}:${row.seq}`, { userId: row.user_id, payload: toPayload(row) });
      }
    }
    // The audience is asked now, as for any push: whoever may no longer be told gets nothing.
    const allowed = new Set(
      (await this.inbox.stillAllowed([...candidates.values()])).map((d) => `${d.userId}:${d.payload.seq}`),
    );
    let sent = 0;
    for (const w of due) {
      for (const row of w.overdue) {
        const key = `${row.user_id}:${row.seq}`;
        if (allowed.has(key) && w.socket.connected) {
          w.socket.emit(NOTIFICATION_EVENT, candidates.get(key)!.payload);
          sent++;
        }
        w.ledger.settle(row.seq);
      }
      w.ledger.advance(w.rows);
    }
    if (sent > 0) {
      this.deliveredTotal += sent;
      this.logger.log({ sent, msg: 'sent notifications whose push did not arrive' });
    }
    return sent;
  }
}
