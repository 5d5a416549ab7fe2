/**
 * Byte-level helpers of the head parsers. The parsers validate and split heads on the Buffer itself (typed-array
 * reads are the cheapest thing JIT-compiled code does) and decode the head into one latin1 string only once it is
 * known to be complete and clean; strings are then slices of that one string.
 *
 * Header names the fast path sees all the time are returned as the constant (internalised) strings below instead
 * of fresh lower-cased slices: using a constant as an object key skips V8's string-table lookup, and comparing
 * against one is a pointer check.
 */

/** Common request/response field names, lower-case, by length. */
const COMMON = [
  'host', 'connection', 'content-length', 'transfer-encoding', 'user-agent', 'accept', 'accept-encoding',
  'accept-language', 'cookie', 'content-type', 'expect', 'upgrade', 'te', 'keep-alive', 'trailer', 'x-forwarded-for',
  'x-forwarded-proto', 'x-forwarded-host', 'referer', 'origin', 'cache-control', 'authorization', 'pragma',
  'if-none-match', 'if-modified-since', 'x-request-id', 'date', 'server', 'upgrade-insecure-requests', 'dnt',
  'sec-fetch-dest', 'sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-user', 'priority', 'etag', 'last-modified',
  'vary', 'location', 'set-cookie', 'grpc-timeout', 'traceparent', 'tracestate', 'x-real-ip',
];

/** COMMON grouped by length. */
const BY_LENGTH: string[][] = [];
for (const n of COMMON) (BY_LENGTH[n.length] ??= []).push(n);

/**
 * Whether buf[from..from+lit.length) equals the lower-case `lit`, ignoring the case of letters. Only for
 * token bytes (the caller validated them): `| 0x20` then maps exactly the upper-case letters onto lower case.
 */
export function equalsLower(buf: Uint8Array, from: number, lit: string): boolean {
  for (let i = 0; i < lit.length; i++) if ((buf[from + i] | 0x20) !== lit.charCodeAt(i)) return false;
  return true;
}

/** The constant lower-case string of a common field name at buf[from..to) (token bytes), or undefined. */
export function commonName(buf: Uint8Array, from: number, to: number): string | undefined {
  const list = BY_LENGTH[to - from];
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) if (equalsLower(buf, from, list[i])) return list[i];
  return undefined;
}

/** A decimal at buf[from..to): 1 to 15 digits, else -1. */
export function decimalAt(buf: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Outcome of prefixAt. */
export const MATCH = 1;
export const PARTIAL = 0;
export const MISMATCH = -1;

/** Whether buf[at..] starts with `lit` (exact bytes): MATCH, PARTIAL (the bytes so far agree, more needed) or MISMATCH. */
export function prefixAt(buf: Uint8Array, at: number, end: number, lit: string): number {
  for (let i = 0; i < lit.length; i++) {
    if (at + i >= end) return PARTIAL;
    if (buf[at + i] !== lit.charCodeAt(i)) return MISMATCH;
  }
  return MATCH;
}
