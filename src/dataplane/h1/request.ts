/**
 * Strict parser of HTTP/1.1 request heads for the fast path. It accepts only the clean, common shape and
 * answers "bail" for anything else, at which point the connection goes to node:http (which then serves it in
 * full, including its own 400/431 answers). Accepted:
 *
 *   METHOD SP origin-form SP "HTTP/1.1" CRLF *( name ":" OWS value OWS CRLF ) CRLF
 *
 * with a method node:http knows well, token header names, values without CTLs (HTAB allowed), no obs-fold, no
 * bare CR or LF, a Host header, each name at most once, at most MAX_HEADERS fields and MAX_HEAD bytes, and body
 * framing that is none, one Content-Length, or "Transfer-Encoding: chunked" alone. Expect and Upgrade (and
 * "Connection: upgrade") bail: node:http handles those exchanges.
 *
 * The bytes are checked on the Buffer; a complete, clean head is decoded once as latin1, and its names are
 * lower-cased into a header object shaped like node's IncomingMessage.headers, which is what the router and the
 * header filters read.
 */
import type { HeaderBag } from '../filters/headers.ts';
import { commonName, MATCH, PARTIAL, prefixAt } from './bytes.ts';
import { FIELD_VALUE, TARGET, TOKEN } from './chars.ts';

/** node:http's default limit on the size of a request head. */
export const MAX_HEAD = 16 * 1024;

/** Header fields a fast-path request may carry; more is unusual enough to leave to node:http. */
export const MAX_HEADERS = 100;

/** A request head the fast path accepted. */
export interface RequestHead {
  readonly method: string;
  /** The origin-form target as sent ("/path?query"). */
  readonly target: string;
  /** The target up to its "?" (not normalised). */
  readonly path: string;
  /** What follows the "?" of the target, or "" when there is none. */
  readonly query: string;
  readonly headers: HeaderBag;
  readonly host: string;
  /** Bytes of the head, CRLF CRLF included. */
  readonly length: number;
  /** Declared body length; 0 when there is no body; -1 for a chunked body. */
  readonly bodyLength: number;
  /** The client asked to close the connection after this exchange. */
  readonly close: boolean;
}

/** The head is not complete yet (and still within MAX_HEAD). */
export const NEED_MORE = 0;
/** The head is outside what the fast path accepts: hand the connection over. */
export const BAIL = 1;

/** Outcome of a parse. */
export type ParseResult = RequestHead | typeof NEED_MORE | typeof BAIL;

/** Methods with node:http's usual meaning; a request with any other goes to node:http. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

const VERSION = ' HTTP/1.1\r\n';

// Scratch positions (absolute offsets in the Buffer) of the fields of the head being parsed.
const nameStarts = new Int32Array(MAX_HEADERS);
const nameEnds = new Int32Array(MAX_HEADERS);
const valueStarts = new Int32Array(MAX_HEADERS);
const valueEnds = new Int32Array(MAX_HEADERS);

/** The method at buf[from..to) as its constant string, or undefined when it is not one of METHODS (case matters). */
function methodAt(buf: Buffer, from: number, to: number): string | undefined {
  for (let k = 0; k < METHODS.length; k++) {
    const m = METHODS[k];
    if (m.length === to - from && prefixAt(buf, from, to, m) === MATCH) return m;
  }
  return undefined;
}

/**
 * Parses the request head at buf[start..end). The bytes are validated as they are scanned, line by line, so a
 * head is decoded (once, latin1) only when it is complete and clean; bytes that can never become a clean head
 * bail at once, a clean prefix waits for more.
 */
export function parseRequest(buf: Buffer, start: number, end: number): ParseResult {
  const limit = Math.min(end, start + MAX_HEAD);
  // An incomplete head: wait, unless it can no longer fit in MAX_HEAD.
  const more = limit - start >= MAX_HEAD ? BAIL : NEED_MORE;
  let i = start;
  while (i < limit && TOKEN[buf[i]] === 1) i++;
  if (i >= limit) return more;
  if (buf[i] !== 32) return BAIL;
  const method = methodAt(buf, start, i);
  if (method === undefined) return BAIL;
  const t0 = ++i;
  if (i >= limit) return more;
  if (buf[i] !== 47 /* / */) return BAIL;
  while (i < limit && TARGET[buf[i]] === 1) i++;
  const v = prefixAt(buf, i, limit, VERSION);
  if (v !== MATCH) return v === PARTIAL ? more : BAIL;
  const tEnd = i;
  let pos = i + VERSION.length;
  let n = 0;
  for (;;) {
    if (pos >= limit) return more;
    if (buf[pos] === 13) {
      if (pos + 1 >= limit) return more;
      if (buf[pos + 1] !== 10) return BAIL;
      return build(buf, start, pos + 2, method, t0, tEnd, n);
    }
    if (n === MAX_HEADERS) return BAIL;
    let j = pos;
    while (j < limit && TOKEN[buf[j]] === 1) j++;
    if (j >= limit) return more;
    if (j === pos || buf[j] !== 58 /* : */) return BAIL; // empty name, obs-fold, bad name char
    nameStarts[n] = pos;
    nameEnds[n] = j;
    j++;
    while (j < limit && (buf[j] === 32 || buf[j] === 9)) j++;
    const vs = j;
    while (j < limit && FIELD_VALUE[buf[j]] === 1) j++;
    if (j >= limit) return more;
    if (buf[j] !== 13) return BAIL; // bare LF, CTLs
    if (j + 1 >= limit) return more;
    if (buf[j + 1] !== 10) return BAIL; // bare CR
    let ve = j;
    while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
    valueStarts[n] = vs;
    valueEnds[n] = ve;
    n++;
    pos = j + 2;
  }
}

/** Builds the head object from a complete, clean head at buf[start..stop) with `n` fields in the scratch arrays. */
function build(buf: Buffer, start: number, stop: number, method: string, t0: number, tEnd: number, n: number): ParseResult {
  const s = buf.toString('latin1', start, stop);
  const headers: HeaderBag = {};
  let host: string | undefined;
  let cl: string | undefined;
  let te: string | undefined;
  let conn: string | undefined;
  for (let k = 0; k < n; k++) {
    const ns = nameStarts[k];
    const ne = nameEnds[k];
    const name = commonName(buf, ns, ne) ?? s.slice(ns - start, ne - start).toLowerCase();
    // A repeated name (or one the object already inherits, like "__proto__") is left to node:http's joining rules.
    if (headers[name] !== undefined) return BAIL;
    const value = s.slice(valueStarts[k] - start, valueEnds[k] - start);
    headers[name] = value;
    if (name.length > 17) continue; // longer than any name that matters below
    if (name === 'host') host = value;
    else if (name === 'content-length') cl = value;
    else if (name === 'transfer-encoding') te = value;
    else if (name === 'connection') conn = value;
    else if (name === 'expect' || name === 'upgrade') return BAIL; // node:http runs those exchanges
  }
  if (host === undefined) return BAIL;
  const target = s.slice(t0 - start, tEnd - start);
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  return finish(method, target, path, query, headers, host, stop - start, cl, te, conn);
}

/** Checks framing and the headers that change how an exchange runs. */
function finish(method: string, target: string, path: string, query: string, headers: HeaderBag, host: string, length: number, cl: string | undefined, te: string | undefined, conn: string | undefined): ParseResult {
  let bodyLength = 0;
  if (te !== undefined) {
    if (cl !== undefined || te.length !== 7 || te.toLowerCase() !== 'chunked') return BAIL;
    bodyLength = -1;
  } else if (cl !== undefined) {
    bodyLength = decimal(cl);
    if (bodyLength < 0) return BAIL;
  }
  let close = false;
  if (conn !== undefined) {
    const v = conn.toLowerCase();
    if (v !== 'keep-alive') {
      if (v.includes('upgrade')) return BAIL;
      close = hasToken(v, 'close');
    }
  }
  return { method, target, path, query, headers, host, length, bodyLength, close };
}

/** A Content-Length value: 1 to 15 digits, else -1. */
export function decimal(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Whether a lower-cased comma list holds `token`. */
export function hasToken(list: string, token: string): boolean {
  let from = 0;
  while (from <= list.length) {
    const comma = list.indexOf(',', from);
    const end = comma < 0 ? list.length : comma;
    if (list.slice(from, end).trim() === token) return true;
    from = end + 1;
  }
  return false;
}
