/**
 * Gateway API durations ("1h", "500ms", "1m30s"): the subset of Go durations the API allows.
 */

const PART = /(\d+(?:\.\d+)?)(h|ms|m|s)/gy;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or undefined when `text` is not a duration of whole parts with h/m/s/ms units. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  if (text === '0') return 0;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    end = PART.lastIndex;
  }
  return end === text.length ? total : undefined;
}
