/**
 * Request-path normalisation for matching (RFC 3986 §6.2.2): percent-encoded unreserved characters are
 * decoded, the hex digits of the remaining escapes are upper-cased, then dot-segments are removed (§5.2.4).
 *
 * Why: the Gateway API forbids "/./", "/../", a trailing "/." or "/..", "%2F" and "#" in Exact and
 * PathPrefix values, i.e. route values are written in normal form. A request has to be brought to that form
 * before it is compared, or "/public/../admin" would match PathPrefix "/public" while the backend serves
 * "/admin". Deliberately left alone: "%2F" (an encoded slash is data, not a separator), empty segments ("//"
 * is not merged: RFC 3986 gives it meaning) and invalid escapes such as "%zz" (kept byte for byte).
 * The normalised path is used for matching and for path rewrites; the path forwarded upstream stays the one
 * the client sent unless a rewrite applies.
 */

/** True for RFC 3986 unreserved characters: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

/** The value of one hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decodes %XX of unreserved characters and upper-cases the hex of every other valid escape. */
function normaliseEscapes(path: string): string {
  let out = '';
  let from = 0;
  for (let i = path.indexOf('%'); i >= 0 && i + 2 < path.length; i = path.indexOf('%', i + 1)) {
    const hi = hexValue(path.charCodeAt(i + 1));
    const lo = hexValue(path.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) continue; // not an escape: keep as sent
    const code = hi * 16 + lo;
    out += path.slice(from, i);
    out += isUnreserved(code) ? String.fromCharCode(code) : path.slice(i, i + 3).toUpperCase();
    from = i + 3;
    i += 2;
  }
  return from === 0 ? path : out + path.slice(from);
}

/** RFC 3986 §5.2.4 for an absolute path: "." segments vanish, ".." removes the segment before it. */
export function removeDotSegments(path: string): string {
  const segs = path.split('/');
  const out: string[] = [];
  const last = segs.length - 1;
  for (let i = 1; i <= last; i++) {
    const s = segs[i];
    if (s === '.' || s === '..') {
      if (s === '..' && out.length > 0) out.pop();
      if (i === last) out.push(''); // "/a/b/.." → "/a/": the result names a directory
      continue;
    }
    out.push(s);
  }
  return '/' + out.join('/');
}

/**
 * The path in the normal form used for matching. Allocation-free for the common path that has neither an
 * escape nor a dot-segment candidate. Non-origin-form targets ("*") are returned unchanged.
 */
export function normalisePath(path: string): string {
  if (path.charCodeAt(0) !== 47 /* / */) return path;
  const hasEscape = path.indexOf('%') >= 0;
  if (!hasEscape && path.indexOf('/.') < 0) return path;
  const decoded = hasEscape ? normaliseEscapes(path) : path;
  return decoded.indexOf('/.') < 0 ? decoded : removeDotSegments(decoded);
}
