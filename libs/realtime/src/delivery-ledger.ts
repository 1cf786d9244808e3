/** One stored notification, as far as the ledger cares: its sequence number in the user's inbox. */
interface Numbered {
  readonly seq: number;
}

/**
 * What one socket on this node has been sent, by sequence number, whichever way it went out (a
 * push from any node, `resume`, the sweep). Everything through `through` is settled: sent, or
 * found not for the user to be told. Above it, `settled` holds what has gone out, and `missing`
 * what the last sweep found in the inbox but not yet sent.
 */
export class DeliveryLedger {
  /** Unknown until the connection has read the user's last sequence number: no sweep till then. */
  private watermark: number | undefined;
  private readonly settled = new Set<number>();
  private missing = new Set<number>();

  get through(): number | undefined {
    return this.watermark;
  }

  /** The user's last sequence number when the socket joined their room: the sweep looks above it. */
  start(lastSeq: number): void {
    this.watermark = lastSeq;
    for (const seq of this.settled) if (seq <= lastSeq) this.settled.delete(seq);
  }

  /** A notification went out on the socket, or was found not to be the user's to be told. */
  settle(seq: number): void {
    if (this.watermark === undefined || seq > this.watermark) this.settled.add(seq);
  }

  /**
   * Given the user's stored notifications above the watermark, in order: those the last sweep
   * found missing too (their push is not coming). The others not sent yet are remembered, so a
   * push still on its way after commit gets one more interval.
   */
  overdue<T extends Numbered>(rows: readonly T[]): T[] {
    const through = this.watermark ?? Number.MAX_SAFE_INTEGER;
    const overdue: T[] = [];
    const missing = new Set<number>();
    for (const row of rows) {
      if (row.seq <= through || this.settled.has(row.seq)) continue;
      if (this.missing.has(row.seq)) overdue.push(row);
      else missing.add(row.seq);
    }
    this.missing = missing;
    return overdue;
  }

  /** Moves the watermark over the rows settled without a gap, and forgets what is below it. */
  advance(rows: readonly Numbered[]): void {
    if (this.watermark === undefined) return;
    for (const row of rows) {
      if (row.seq <= this.watermark) continue;
      if (!this.settled.has(row.seq)) break;
      this.settled.delete(row.seq);
      this.watermark = row.seq;
    }
  }
}
