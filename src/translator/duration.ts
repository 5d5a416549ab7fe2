/**
 * Gateway API durations (GEP-2257): one to four "<number><unit>" parts, units h, m, s, ms,
 * e.g. "1h30m", "500ms", "0s".
 */

const PART = /([0-9]{1,5})(h|ms|m|s)/y;
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or an Error naming the bad input. */
export function parseDuration(text: string): number | Error {
  if (typeof text !== 'string' || text.length === 0) return new Error(`invalid duration "${String(text)}"`);
  PART.lastIndex = 0;
  let total = 0;
  let parts = 0;
  while (PART.lastIndex < text.length) {
    const m = PART.exec(text);
    if (!m) return new Error(`invalid duration "${text}"`);
    total += Number(m[1]) * UNIT_MS[m[2]];
    parts++;
  }
  return parts > 4 ? new Error(`invalid duration "${text}": more than 4 parts`) : total;
}
