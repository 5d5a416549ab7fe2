/**
 * Settling V8's heap after the initial load.
 *
 * Loading a large configuration (thousands of routes) allocates far more than it keeps: parse trees,
 * admission copies, the translator's intermediate lists. With the small young generation `gatehouse run`
 * uses (bin/gatehouse.js), much of that lives long enough to be promoted, so the old generation ends the
 * load spread over pages that are mostly empty, and V8 keeps them: at 5,000 routes about 75 MiB committed
 * for 50 MiB live. V8 gives such pages back only after a collection that compacts with the aim of reducing
 * memory, which its own heuristics run when the process is idle and allocating little: a gateway that
 * polls, logs and serves is neither, so it would carry the load's peak for its whole life.
 *
 * So Gatehouse asks for those collections itself, at the two points where it knows the garbage is:
 * - `major`: after the files are loaded and before the first translation (~30 ms at 5,000 routes), so
 *   the translation's allocations reuse the load's pages instead of adding to them (this bounds the peak);
 * - `compact`: once the first configuration is applied and its statuses written, a memory-reducing,
 *   compacting collection (V8's "last resort" flavour, ~200-300 ms at 5,000 routes, once per process):
 *   RSS drops to what is live (about 30 MiB less at 5,000 routes) and the first configuration change does
 *   not pay for a full collection of the load's garbage.
 *
 * Both need `gc`, which V8 exposes only under --expose-gc; bin/gatehouse.js passes it to `run`. Elsewhere
 * (tests, embedding) these are no-ops.
 */
import { memoryUsage } from 'node:process';

/** V8's gc extension (--expose-gc). */
type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

/** What one settle did, for the log. */
export interface Settled {
  readonly ms: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
}

/** Runs one synchronous collection of the given kind; undefined when V8's gc is not exposed. */
export function settleHeap(kind: 'major' | 'compact'): Settled | undefined {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  if (typeof gc !== 'function') return undefined;
  const rssBefore = memoryUsage.rss();
  const t0 = performance.now();
  gc(kind === 'compact' ? { type: 'major', execution: 'sync', flavor: 'last-resort' } : { type: 'major', execution: 'sync' });
  const ms = performance.now() - t0;
  return { ms, rssBeforeMiB: rssBefore / 2 ** 20, rssAfterMiB: memoryUsage.rss() / 2 ** 20 };
}
