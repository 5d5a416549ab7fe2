/**
 * The "did you mean" hint for enum mistakes: a value that is a fragment of exactly one allowed value
 * (`Prefix` → `PathPrefix`), or within a small edit distance of it (`Exect` → `Exact`, `pathprefix`).
 */

/** The allowed value the user most likely meant, or undefined when none is clearly closest. */
export function didYouMean(value: string, allowed: readonly unknown[]): string | undefined {
  const v = value.toLowerCase();
  if (v.length === 0) return undefined;
  const options = allowed.filter((a): a is string => typeof a === 'string' && a !== '');
  // Case-only mistakes first: they are unambiguous.
  const sameCase = options.filter((a) => a.toLowerCase() === v);
  if (sameCase.length === 1) return sameCase[0];
  if (v.length >= 3) {
    const containing = options.filter((a) => a.toLowerCase().includes(v));
    if (containing.length === 1) return containing[0];
  }
  const limit = Math.max(1, Math.floor(v.length / 4));
  let best: string | undefined;
  let bestDist = Infinity;
  let tie = false;
  for (const a of options) {
    const d = editDistance(v, a.toLowerCase());
    if (d < bestDist) {
      best = a;
      bestDist = d;
      tie = false;
    } else if (d === bestDist) {
      tie = true;
    }
  }
  return best !== undefined && bestDist <= limit && !tie ? best : undefined;
}

/** Levenshtein distance; inputs are enum values and user words, so quadratic is fine. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
