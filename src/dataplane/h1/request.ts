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
 * The head is decoded once as latin1; names are lower-cased into a header object shaped like node's
 * IncomingMessage.headers, which is what the router and the header filters read.
 */
import type { HeaderBag } from '../filters/headers.ts';
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
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

const VERSION = ' HTTP/1.1\r\n';

/** First decoding window: covers nearly every head without decoding a large body or pipelined burst behind it. */
export const WINDOW = 4096;

/**
 * Decodes the bytes at buf[start..end) that can hold a head (latin1, one native call) and finds the empty line
 * ending it, searching the string rather than the Buffer: a Buffer search with a multi-byte needle costs
 * more than the decoding. Returns the text and the offset of the final CRLF CRLF, or -1 with the text.
 */
export function findHead(buf: Buffer, start: number, end: number): { text: string; stop: number } {
  let text = buf.toString('latin1', start, Math.min(end, start + WINDOW));
  let stop = text.indexOf('\r\n\r\n');
  if (stop < 0 && end - start > WINDOW) {
    text = buf.toString('latin1', start, Math.min(end, start + MAX_HEAD + 4));
    stop = text.indexOf('\r\n\r\n');
  }
  found.text = text;
  found.stop = stop;
  return found;
}

/** findHead's result object, reused: callers read it at once. */
const found = { text: '', stop: -1 };

/** Parses the request head at buf[start..end). */
export function parseRequest(buf: Buffer, start: number, end: number): ParseResult {
  const { text, stop } = findHead(buf, start, end);
  if (stop < 0) return end - start > MAX_HEAD || bareLF(text) ? BAIL : NEED_MORE;
  if (stop + 4 > MAX_HEAD) return BAIL;
  return parseHead(text.slice(0, stop + 2), stop + 4);
}

/** Whether an incomplete head has a line feed without its carriage return (it would never complete as CRLF CRLF). */
function bareLF(s: string): boolean {
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) if (i === 0 || s.charCodeAt(i - 1) !== 13) return true;
  return false;
}

/** Parses a complete head (`s` ends with the CRLF of its last line, the empty line excluded). */
function parseHead(s: string, length: number): ParseResult {
  const sp = s.indexOf(' ');
  if (sp <= 0) return BAIL;
  const method = s.slice(0, sp);
  if (!METHODS.has(method)) return BAIL;
  const lineEnd = s.indexOf('\r\n');
  const tEnd = lineEnd - VERSION.length + 2;
  if (tEnd <= sp + 1 || !s.startsWith(VERSION, tEnd)) return BAIL;
  if (s.charCodeAt(sp + 1) !== 47 /* / */) return BAIL;
  for (let i = sp + 1; i < tEnd; i++) if (TARGET[s.charCodeAt(i)] === 0) return BAIL;
  const target = s.slice(sp + 1, tEnd);
  const headers: HeaderBag = {};
  let count = 0;
  let pos = lineEnd + 2;
  while (pos < s.length) {
    const eol = s.indexOf('\r\n', pos);
    if (++count > MAX_HEADERS) return BAIL;
    let i = pos;
    while (i < eol && TOKEN[s.charCodeAt(i)] === 1) i++;
    if (i === pos || s.charCodeAt(i) !== 58 /* : */) return BAIL; // empty name, obs-fold, bad name char
    const name = s.slice(pos, i).toLowerCase();
    i++;
    while (i < eol && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    let vEnd = eol;
    while (vEnd > i && (s.charCodeAt(vEnd - 1) === 32 || s.charCodeAt(vEnd - 1) === 9)) vEnd--;
    for (let j = i; j < vEnd; j++) if (FIELD_VALUE[s.charCodeAt(j)] === 0) return BAIL; // bare CR / LF, CTLs
    // A repeated name (or one the object already inherits, like "__proto__") is left to node:http's joining rules.
    if (headers[name] !== undefined) return BAIL;
    headers[name] = s.slice(i, vEnd);
    pos = eol + 2;
  }
  return finish(method, target, headers, length);
}

/** Checks framing and the headers that change how an exchange runs. */
function finish(method: string, target: string, headers: HeaderBag, length: number): ParseResult {
  const host = headers['host'] as string | undefined;
  if (host === undefined || headers['expect'] !== undefined || headers['upgrade'] !== undefined) return BAIL;
  const cl = headers['content-length'] as string | undefined;
  const te = headers['transfer-encoding'] as string | undefined;
  let bodyLength = 0;
  if (te !== undefined) {
    if (cl !== undefined || te.length !== 7 || te.toLowerCase() !== 'chunked') return BAIL;
    bodyLength = -1;
  } else if (cl !== undefined) {
    bodyLength = decimal(cl);
    if (bodyLength < 0) return BAIL;
  }
  let close = false;
  const conn = headers['connection'] as string | undefined;
  if (conn !== undefined) {
    const v = conn.toLowerCase();
    if (v !== 'keep-alive') {
      if (v.includes('upgrade')) return BAIL;
      close = hasToken(v, 'close');
    }
  }
  return { method, target, headers, host, length, bodyLength, close };
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
