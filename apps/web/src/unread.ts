import { useSyncExternalStore } from 'react';
import type { Live } from './live.ts';

/** New entries per family since this page was opened, from the doorbell; cleared on opening the family. */
const counts = new Map<string, number>();
const listeners = new Set<() => void>();
let version = 0;
const changed = () => {
  version++;
  for (const listener of listeners) listener();
};

export function countNew(live: Live): () => void {
  return live.onNotice((notice) => {
    if ((notice.type === 'EVENT_POSTED' || notice.type === 'REPLY_POSTED') && notice.familyId) {
      counts.set(notice.familyId, (counts.get(notice.familyId) ?? 0) + 1);
      changed();
    }
  });
}

export function markSeen(familyId: string): void {
  if (counts.delete(familyId)) changed();
}

export function useNewCount(familyId: string): number {
  useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => version,
  );
  return counts.get(familyId) ?? 0;
}
