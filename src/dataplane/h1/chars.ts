/**
 * Character classes of HTTP/1.1 (RFC 9110 §5.6.2, RFC 3986) as lookup tables, built once, so that the head
 * parsers test a byte with one array read instead of a regex or a chain of comparisons.
 */

function table(accept: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = accept(c) ? 1 : 0;
  return t;
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** tchar: the characters of a token (method, header name). */
export const TOKEN = table((c) => isAlnum(c) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)));

/**
 * Characters the fast path accepts in an origin-form target: unreserved, sub-delims, "%", ":", "@", "/", "?".
 * Anything else ('"', "<", "\\", "{", "#", non-ASCII...) is left to node:http, whatever it makes of it.
 */
export const TARGET = table((c) => isAlnum(c) || "-._~!$&'()*+,;=%:@/?".includes(String.fromCharCode(c)));

/** field-vchar plus SP and HTAB: what a header value may hold (obs-text included, CTLs and DEL not). */
export const FIELD_VALUE = table((c) => c === 9 || (c >= 32 && c !== 127));

/** Lower-case hex digit value, or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
