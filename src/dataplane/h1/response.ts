/**
 * Upstream response heads: parsing (strict; anything odd is an invalid response, 502) and the head sent to the
 * client. Without response header modifiers the client head is the upstream's own text with the hop-by-hop
 * lines cut out (slices of one latin1 string, no header object); with modifiers the end-to-end fields go
 * through a header object exactly like the node:http path (copy, then each plan's modifiers in order).
 *
 * Field positions of the last parsed head live in module scratch arrays: `clientHead` must be called right after
 * `parseResponse` (both run in one synchronous step of the exchange), which keeps parsing allocation-free.
 */
import { applyHeaderModifier, type HeaderBag } from '../filters/headers.ts';
import type { FilterPlan } from '../filters/plan.ts';
import { decimalAt, equalsLower, MATCH, PARTIAL, prefixAt } from './bytes.ts';
import { FIELD_VALUE, TOKEN } from './chars.ts';
import { hasToken, MAX_HEAD, MAX_HEADERS } from './request.ts';

/** How the response body is delimited (RFC 9112 §6.3). */
export const NO_BODY = 0;
export const LENGTH = 1;
export const CHUNKED = 2;
export const UNTIL_CLOSE = 3;

/** A parsed upstream response head. */
export interface ResponseHead {
  readonly status: number;
  /** 1xx: skipped, the final answer follows. */
  readonly interim: boolean;
  /** Bytes of the head, final CRLF included. */
  readonly length: number;
  readonly framing: number;
  /** Body length when framing is LENGTH. */
  readonly bodyLength: number;
  /** The upstream connection may carry another request after this one. */
  readonly reusable: boolean;
  /**
   * The head decoded (latin1), followed by the bytes of a small Content-Length body (up to 4 KiB) as far as they
   * came with it, so such a body is sent on with the head without decoding it again.
   */
  readonly text: string;
  /** End of the status line (offset of its CRLF). */
  readonly lineEnd: number;
  readonly http11: boolean;
  /** Fields parsed (positions in the scratch arrays). */
  readonly fields: number;
  /** Extra names listed in Connection, lower-cased, to drop; undefined when none. */
  readonly connNames: string | undefined;
  readonly hasDate: boolean;
}

/** The head is incomplete. */
export const INCOMPLETE = 0;
/** Not a response the fast path can relay: answer 502 (or cut the client when already answering). */
export const INVALID = 1;

// Scratch, per field of the last head parsed (offsets in its text): what the name is (one of the codes below),
// line start, name end, value start, value end.
const OTHER = 0;
const CONTENT_LENGTH = 1;
const TRANSFER_ENCODING = 2;
const CONNECTION = 3;
const DATE = 4;
/** keep-alive, upgrade, te, trailer, proxy-*: dropped on the way to the client. */
const HOP = 5;
const kinds = new Uint8Array(MAX_HEADERS);
const lineStarts = new Int32Array(MAX_HEADERS);
const nameEnds = new Int32Array(MAX_HEADERS);
const valueStarts = new Int32Array(MAX_HEADERS);
const valueEnds = new Int32Array(MAX_HEADERS);

/** Framing facts gathered while the fields are scanned. */
const facts = { cl: -1, chunked: false, close: false, connNames: undefined as string | undefined, hasDate: false };

/** Decoded text beyond the head kept for a small body sent on with it (exchange.ts's SMALL). */
const SMALL_BODY = 4096;

/**
 * Parses the response head at buf[start..end); `headRequest` says the request was HEAD. The head is checked on
 * the Buffer and decoded once (latin1) when complete, with a small Content-Length body that came along.
 */
export function parseResponse(buf: Buffer, start: number, end: number, headRequest: boolean): ResponseHead | typeof INCOMPLETE | typeof INVALID {
  const limit = Math.min(end, start + MAX_HEAD);
  const more = limit - start >= MAX_HEAD ? INVALID : INCOMPLETE;
  // "HTTP/1.x NNN[ reason]"
  const p = prefixAt(buf, start, limit, 'HTTP/1.');
  if (p !== MATCH) return p === PARTIAL ? more : INVALID;
  if (start + 12 >= limit) return more;
  const minor = buf[start + 7] - 48;
  if ((minor !== 0 && minor !== 1) || buf[start + 8] !== 32) return INVALID;
  const status = decimalAt(buf, start + 9, start + 12);
  if (status < 100 || status > 599 || status === 101) return INVALID; // 101: never asked for an upgrade
  let i = start + 12;
  if (buf[i] !== 13 && buf[i] !== 32) return INVALID;
  while (i < limit && FIELD_VALUE[buf[i]] === 1) i++;
  if (i + 1 >= limit) return more;
  if (buf[i] !== 13 || buf[i + 1] !== 10) return INVALID;
  const lineEnd = i - start;
  const stop = scanFields(buf, start, i + 2, limit);
  if (stop < 0) return stop === -2 ? more : INVALID;
  return frame(buf, start, end, status, stop - start, minor === 1, lineEnd, headRequest);
}

/** The kind of the field name at buf[from..to) (token bytes). */
function kindOf(buf: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n === 4 && equalsLower(buf, from, 'date')) return DATE;
  if (n === 10) return equalsLower(buf, from, 'connection') ? CONNECTION : equalsLower(buf, from, 'keep-alive') ? HOP : OTHER;
  if (n === 14 && equalsLower(buf, from, 'content-length')) return CONTENT_LENGTH;
  if (n === 17 && equalsLower(buf, from, 'transfer-encoding')) return TRANSFER_ENCODING;
  if (n === 2 && equalsLower(buf, from, 'te')) return HOP;
  if (n === 7 && (equalsLower(buf, from, 'upgrade') || equalsLower(buf, from, 'trailer'))) return HOP;
  return n > 6 && equalsLower(buf, from, 'proxy-') ? HOP : OTHER;
}

/**
 * Records the fields from `pos` in the scratch arrays and their framing facts; returns the end of the head
 * (after its empty line), -1 when malformed, -2 when incomplete.
 */
function scanFields(buf: Buffer, start: number, pos: number, limit: number): number {
  facts.cl = -1;
  facts.chunked = false;
  facts.close = false;
  facts.connNames = undefined;
  facts.hasDate = false;
  let n = 0;
  for (;;) {
    if (pos >= limit) return -2;
    if (buf[pos] === 13) {
      if (pos + 1 >= limit) return -2;
      if (buf[pos + 1] !== 10) return -1;
      fieldCount = n;
      return pos + 2;
    }
    if (n >= MAX_HEADERS) return -1;
    let i = pos;
    while (i < limit && TOKEN[buf[i]] === 1) i++;
    if (i >= limit) return -2;
    if (i === pos || buf[i] !== 58) return -1;
    const kind = kindOf(buf, pos, i);
    lineStarts[n] = pos - start;
    nameEnds[n] = i - start;
    i++;
    while (i < limit && (buf[i] === 32 || buf[i] === 9)) i++;
    const vs = i;
    // A bare CR or LF could split the response on its way to the client: refused. Other control characters
    // are not looked for byte by byte (the cost of the relay): they pass as the upstream sent them.
    while (i < limit && buf[i] !== 13 && buf[i] !== 10) i++;
    if (i + 1 >= limit) return -2;
    if (buf[i] !== 13 || buf[i + 1] !== 10) return -1;
    let ve = i;
    while (ve > vs && (buf[ve - 1] === 32 || buf[ve - 1] === 9)) ve--;
    if (kind !== OTHER && !fact(buf, kind, vs, ve)) return -1;
    kinds[n] = kind;
    valueStarts[n] = vs - start;
    valueEnds[n] = ve - start;
    n++;
    pos = i + 2;
  }
}

/** Fields of the last head scanned. */
let fieldCount = 0;

/** Notes what a framing-related field says; false when it makes the head invalid. */
function fact(buf: Buffer, kind: number, vs: number, ve: number): boolean {
  if (kind === CONTENT_LENGTH) {
    if (facts.cl >= 0) return false; // repeated: left out of the fast path's strictness
    facts.cl = decimalAt(buf, vs, ve);
    return facts.cl >= 0;
  }
  if (kind === TRANSFER_ENCODING) {
    if (facts.chunked || ve - vs !== 7 || !equalsLower(buf, vs, 'chunked')) return false;
    facts.chunked = true;
  } else if (kind === CONNECTION) {
    if (ve - vs === 5 && equalsLower(buf, vs, 'close')) facts.close = true;
    else if (ve - vs !== 10 || !equalsLower(buf, vs, 'keep-alive')) {
      const v = buf.toString('latin1', vs, ve).toLowerCase();
      if (hasToken(v, 'close')) facts.close = true;
      facts.connNames = facts.connNames === undefined ? v : `${facts.connNames},${v}`;
    }
  } else if (kind === DATE) facts.hasDate = true;
  return true;
}

/** The lower-cased name of field `k`. */
function nameOf(s: string, k: number): string {
  return s.slice(lineStarts[k], nameEnds[k]).toLowerCase();
}

/** Decides the framing and reuse from the facts, and decodes the head (with a small body that came along). */
function frame(buf: Buffer, start: number, end: number, status: number, length: number, http11: boolean, lineEnd: number, headRequest: boolean): ResponseHead | typeof INVALID {
  const { cl, chunked, connNames, hasDate } = facts;
  if (chunked && cl >= 0) return INVALID;
  const interim = status < 200;
  let framing: number;
  if (interim || headRequest || status === 204 || status === 304) framing = NO_BODY;
  else if (chunked) framing = CHUNKED;
  else if (cl >= 0) framing = cl === 0 ? NO_BODY : LENGTH;
  else framing = UNTIL_CLOSE;
  const reusable = !facts.close && http11 && framing !== UNTIL_CLOSE;
  const textEnd = framing === LENGTH && cl <= SMALL_BODY ? Math.min(end, start + length + cl) : start + length;
  const text = buf.toString('latin1', start, textEnd);
  return { status, interim, length, framing, bodyLength: cl, reusable, text, lineEnd, http11, fields: fieldCount, connNames, hasDate };
}

/** Whether field `k` is dropped on the way to the client (hop-by-hop, or named in Connection). */
function dropped(h: ResponseHead, k: number): boolean {
  if (kinds[k] === HOP || kinds[k] === CONNECTION || kinds[k] === TRANSFER_ENCODING) return true;
  return h.connNames !== undefined && hasToken(h.connNames, nameOf(h.text, k));
}

/**
 * The head for the client: status line, end-to-end fields (after the plans' response modifiers), framing,
 * then `tail` (the connection fields and the final CRLF, supplied by the caller).
 */
export function clientHead(h: ResponseHead, plans: readonly FilterPlan[] | undefined, date: string, tail: string): string {
  const s = h.text;
  let out = h.http11 ? s.slice(0, h.lineEnd + 2) : `HTTP/1.1${s.slice(8, h.lineEnd)}\r\n`;
  if (plans !== undefined) out += editedFields(h, plans);
  else {
    // Runs of kept lines are copied as one slice each.
    let run = h.lineEnd + 2;
    for (let k = 0; k < h.fields; k++) {
      if (!dropped(h, k)) continue;
      out += s.slice(run, lineStarts[k]);
      run = valueEnds[k] + 2;
      while (s.charCodeAt(run - 2) !== 13) run++; // trailing OWS after the value
    }
    out += s.slice(run, h.length - 2);
  }
  if (h.framing === CHUNKED) out += 'transfer-encoding: chunked\r\n';
  if (!h.hasDate) out += `date: ${date}\r\n`;
  return out + tail;
}

/** End-to-end fields through a header object and the response modifiers, serialised. */
function editedFields(h: ResponseHead, plans: readonly FilterPlan[]): string {
  const bag: HeaderBag = {};
  const s = h.text;
  for (let k = 0; k < h.fields; k++) {
    if (dropped(h, k)) continue;
    const name = nameOf(s, k);
    const v = s.slice(valueStarts[k], valueEnds[k]);
    const cur = bag[name];
    bag[name] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  for (const p of plans) for (const m of p.responseHeaders) applyHeaderModifier(bag, m);
  return serialise(bag);
}

/**
 * `name: value` lines of a header object (arrays give one line per value); `skipFraming` leaves out Host and
 * Content-Length, which the request head writes itself.
 */
export function serialise(bag: HeaderBag, skipFraming = false): string {
  let out = '';
  for (const name in bag) {
    const v = bag[name];
    if (v === undefined || (skipFraming && (name === 'host' || name === 'content-length'))) continue;
    if (typeof v === 'string') out += `${name}: ${v}\r\n`;
    else for (const one of v) out += `${name}: ${one}\r\n`;
  }
  return out;
}
