/**
 * The request-id query parameter of the mirror tests (AddRequestIDQueryParam, helpers §2),
 * for the places where the harness has to compute a path itself (percentage mirroring).
 */

/** The query parameter that makes a request path unique. */
export const REQUEST_ID_PARAM = 'gateway-api-conformance-request-id';

/** Go's url.QueryEscape: unreserved characters kept, space as '+', the rest %XX. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function queryUnescape(s: string): string {
  const t = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(t);
  } catch {
    throw new Error(`invalid query escape in ${JSON.stringify(s)}`);
  }
}

/** Parses a raw query into ordered values per key (url.ParseQuery). */
export function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : queryUnescape(part.slice(eq + 1));
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

/** url.Values.Encode: keys sorted by byte order, values of a key in order. */
export function encodeQuery(q: Map<string, string[]>): string {
  const keys = [...q.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts: string[] = [];
  for (const k of keys) for (const v of q.get(k)!) parts.push(`${queryEscape(k)}=${queryEscape(v)}`);
  return parts.join('&');
}

/** Sets one query parameter of a request path (every earlier value replaced); throws on bad input. */
export function setQueryParam(path: string, name: string, value: string): string {
  const q = path.indexOf('?');
  const base = q < 0 ? path : path.slice(0, q);
  const query = parseQuery(q < 0 ? '' : path.slice(q + 1));
  query.set(name, [value]);
  return `${base}?${encodeQuery(query)}`;
}
