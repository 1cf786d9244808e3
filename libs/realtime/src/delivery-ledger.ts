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
  // Made when first needed: most sockets sit idle with both empty, and a server holds thousands.
  private settled: Set<number> | undefined;
  private missing: Set<number> | undefined;

  get through(): number | undefined {
    return this.watermark;
  }

  /** The user's last sequence number when the socket joined their room: the sweep looks above it. */
  start(lastSeq: number): void {
    this.watermark = lastSeq;
    const settled = this.settled;
    if (settled) for (const seq of settled) if (seq <= lastSeq) settled.delete(seq);
  }

  /** A notification went out on the socket, or was found not to be the user's to be told. */
  settle(seq: number): void {
    if (this.watermark === undefined || seq > this.watermark) (this.settled ??= new Set()).add(seq);
  }

  /**
   * Given the user's stored notifications above the watermark, in order: those the last sweep
   * found missing too (their push is not coming). The others not sent yet are remembered, so a
   * push still on its way after commit gets one more interval.
   */
  overdue<T extends Numbered>(rows: readonly T[]): T[] {
    const through = this.watermark ?? Number.MAX_SAFE_INTEGER;
    const overdue: T[] = [];
    let missing: Set<number> | undefined;
    for (const row of rows) {
      if (row.seq <= through || this.settled?.has(row.seq)) continue;
      if (this.missing?.has(row.seq)) overdue.push(row);
      else (missing ??= new Set()).add(row.seq);
    }
    this.missing = missing;
    return overdue;
  }

  /** Moves the watermark over the rows settled without a gap, and forgets what is below it. */
  advance(rows: readonly Numbered[]): void {
    if (this.watermark === undefined) return;
    for (const row of rows) {
      if (row.seq <= this.watermark) continue;
      if (!this.settled?.delete(row.seq)) break;
      this.watermark = row.seq;
    }
    if (this.settled?.size === 0) this.settled = undefined;
  }
}
