/**
 * A bounded history of store events, so a watch can resume from a resourceVersion: the store itself
 * keeps only the present. Events older than the history answer "too old", as Kubernetes does once
 * etcd has compacted them, and the client lists again.
 */
import type { Store, WatchEvent, Watcher } from '../store/store.ts';

/** How many past events are kept by default. */
export const DEFAULT_HISTORY = 4096;

/** The resourceVersion an event happened at (every store write bumps it, so each event has its own). */
export function eventVersion(ev: WatchEvent): number {
  return Number(ev.object.metadata.resourceVersion);
}

/** Fans store events out to watch streams and remembers the last few for resumption. */
export class WatchHub {
  private readonly ring: WatchEvent[] = [];
  private readonly size: number;
  /** Every event after this resourceVersion is still in the ring. */
  private floor: number;
  private readonly listeners = new Set<Watcher>();
  private readonly stop: () => void;

  constructor(store: Store, size = DEFAULT_HISTORY) {
    this.size = Math.max(1, size);
    this.floor = store.resourceVersion;
    this.stop = store.watch((ev) => this.onEvent(ev));
  }

  /**
   * Subscribes `fn` to future events and returns, atomically with it, the remembered events after
   * `since` (all of them when `since` is undefined, none needed then). `past` is undefined when
   * `since` is older than the history.
   */
  subscribe(fn: Watcher, since?: number): { past: WatchEvent[] | undefined; unsubscribe: () => void } {
    let past: WatchEvent[] | undefined = [];
    if (since !== undefined) {
      past = since < this.floor ? undefined : this.ring.filter((ev) => eventVersion(ev) > since);
    }
    this.listeners.add(fn);
    return { past, unsubscribe: () => this.listeners.delete(fn) };
  }

  /** Stops listening to the store. */
  close(): void {
    this.stop();
    this.listeners.clear();
  }

  private onEvent(ev: WatchEvent): void {
    this.ring.push(ev);
    if (this.ring.length > this.size) this.floor = eventVersion(this.ring.shift()!);
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch {
        // One broken stream must not starve the others; the stream's own close handler cleans up.
      }
    }
  }
}
