/** Lazy query-string parsing for query-parameter matches. */

/** Query parameters by name: the FIRST value of a repeated name, as the spec says only the first counts. */
export type QueryParams = ReadonlyMap<string, string>;

const EMPTY: QueryParams = new Map();

/** Percent-decodes a query component ("+" is a space); malformed escapes are kept as written. */
function decode(s: string): string {
  const plus = s.includes('+') ? s.replaceAll('+', ' ') : s;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** Parses "a=1&b=2&a=3" (no leading "?") into first-value-per-name; "flag" alone has value "". */
export function parseQuery(raw: string): QueryParams {
  if (raw.length === 0) return EMPTY;
  const out = new Map<string, string>();
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = raw.length;
    if (end > start) {
      const eq = raw.indexOf('=', start);
      const hasEq = eq >= 0 && eq < end;
      const name = decode(raw.slice(start, hasEq ? eq : end));
      if (!out.has(name)) out.set(name, hasEq ? decode(raw.slice(eq + 1, end)) : '');
    }
    start = end + 1;
  }
  return out;
}
