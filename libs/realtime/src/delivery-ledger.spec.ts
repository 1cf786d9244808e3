import { describe, expect, it } from '@jest/globals';
import { DeliveryLedger } from './delivery-ledger.js';

const rows = (...seqs: number[]) => seqs.map((seq) => ({ seq }));

describe('DeliveryLedger', () => {
  it('gives a row one sweep of grace before calling it overdue', () => {
    const ledger = new DeliveryLedger();
    ledger.start(10);
    expect(ledger.overdue(rows(11, 12))).toEqual([]);
    ledger.settle(12); // its push arrived in between
    expect(ledger.overdue(rows(11, 12, 13))).toEqual(rows(11));
    ledger.settle(11); // the sweep sent it
    expect(ledger.overdue(rows(11, 12, 13))).toEqual(rows(13));
  });

  it('moves its watermark only over rows settled without a gap', () => {
    const ledger = new DeliveryLedger();
    ledger.start(3);
    ledger.settle(4);
    ledger.settle(6);
    ledger.advance(rows(4, 5, 6));
    expect(ledger.through).toBe(4);
    ledger.settle(5); // sent by the sweep, or found not for the user
    ledger.advance(rows(5, 6));
    expect(ledger.through).toBe(6);
    expect(ledger.overdue(rows(5, 6))).toEqual([]);
    // Everything settled is behind it now; the next ones are noted afresh.
    ledger.settle(8);
    expect(ledger.overdue(rows(7, 8))).toEqual([]);
    expect(ledger.overdue(rows(7, 8))).toEqual(rows(7));
    ledger.settle(7);
    ledger.advance(rows(7, 8));
    expect(ledger.through).toBe(8);
  });

  it('notes what goes out before it starts, and keeps only what is above the user’s last seq', () => {
    const ledger = new DeliveryLedger();
    expect(ledger.through).toBeUndefined();
    ledger.settle(7);
    ledger.settle(9);
    ledger.start(8);
    expect(ledger.through).toBe(8);
    ledger.advance(rows(9));
    expect(ledger.through).toBe(9);
    ledger.settle(9); // a replay of what it has: nothing changes
    expect(ledger.overdue(rows(10))).toEqual([]);
    expect(ledger.overdue(rows(10))).toEqual(rows(10));
  });
});
