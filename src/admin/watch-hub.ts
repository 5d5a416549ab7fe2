/**
 * A bounded history of store events, so a watch can resume from a resourceVersion: the store itself
 * keeps only the present. Events older than the history answer "too old", as Kubernetes does once
 * etcd has compacted them, and the client lists again.
 */
import type { Store, WatchEvent, Watcher } from '../store/store.ts';

/**
 * How many past events are kept by default. Each one can hold an object version the store has
 * already replaced (a few KiB for a route with status), so the history is part of the memory budget:
 * 1,024 covers a client that reconnects after a burst of a thousand changes; one further behind lists
 * again, as Kubernetes clients do on 410.
 */
export const DEFAULT_HISTORY = 1024;

/** The resourceVersion an event happened at (every store write bumps it, so each event has its own). */
export function eventVersion(ev: WatchEvent): number {
  return Number(ev.object.metadata.resourceVersion);
}

/** Fans store events out to watch streams and remembers the last few for resumption. */
export class WatchHub {
  /** A circular buffer: `count` events ending just before `next`. */
  private readonly ring: (WatchEvent | undefined)[];
  private next = 0;
  private count = 0;
  /** Every event after this resourceVersion is still in the ring. */
  private floor: number;
  private readonly listeners = new Set<Watcher>();
  private readonly stop: () => void;

  constructor(store: Store, size = DEFAULT_HISTORY) {
    this.ring = new Array(Math.max(1, size)).fill(undefined);
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
      past = since < this.floor ? undefined : this.history().filter((ev) => eventVersion(ev) > since);
    }
    this.listeners.add(fn);
    return { past, unsubscribe: () => this.listeners.delete(fn) };
  }

  /** Stops listening to the store. */
  close(): void {
    this.stop();
    this.listeners.clear();
  }

  /** The remembered events, oldest first. */
  history(): WatchEvent[] {
    const out: WatchEvent[] = [];
    const n = this.ring.length;
    for (let i = 0; i < this.count; i++) out.push(this.ring[(this.next - this.count + i + n) % n]!);
    return out;
  }

  private onEvent(ev: WatchEvent): void {
    const evicted = this.ring[this.next];
    if (this.count === this.ring.length && evicted) this.floor = eventVersion(evicted);
    this.ring[this.next] = ev;
    this.next = (this.next + 1) % this.ring.length;
    this.count = Math.min(this.count + 1, this.ring.length);
    for (const fn of this.listeners) {
      try {
        fn(ev);
      } catch {
        // One broken stream must not starve the others; the stream's own close handler cleans up.
      }
    }
  }
}
