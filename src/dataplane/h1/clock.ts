/**
 * A coarse clock for the fast path's per-request time stamps (the Date header, idle times of pooled upstream
 * sockets): Date.now() is read at most once per tick while requests flow, not on every request. A one-shot
 * unref'd timer marks the reading stale after TICK_MS, so an idle process has no timer at all.
 */

/** Granularity of the clock (ms). */
export const TICK_MS = 50;

let now = 0;
let fresh = false;

function stale(): void {
  fresh = false;
}

/** Milliseconds since the epoch, at most TICK_MS old. */
export function coarseNow(): number {
  if (!fresh) {
    now = Date.now();
    fresh = true;
    setTimeout(stale, TICK_MS).unref();
  }
  return now;
}
