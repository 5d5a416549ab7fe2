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
import { isHopByHop } from '../upstream/headers.ts';
import { FIELD_VALUE, TOKEN } from './chars.ts';
import { decimal, findHead, hasToken, MAX_HEAD, MAX_HEADERS } from './request.ts';

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
   * The decoded text (latin1) the head was found in: the head, then possibly body bytes that came with it
   * (up to the decoding window), so a small body is sent on without decoding it again.
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

// Scratch, per field of the last head parsed: lower-cased name ("" when not one of interest), line start,
// name end, value start, value end.
const names: string[] = [];
const lineStarts: number[] = [];
const nameEnds: number[] = [];
const valueStarts: number[] = [];
const valueEnds: number[] = [];

/** Parses the response head at buf[start..end); `headRequest` says the request was HEAD. */
export function parseResponse(buf: Buffer, start: number, end: number, headRequest: boolean): ResponseHead | typeof INCOMPLETE | typeof INVALID {
  const { text: s, stop } = findHead(buf, start, end);
  if (stop < 0) return end - start > MAX_HEAD ? INVALID : INCOMPLETE;
  const length = stop + 4;
  if (length > MAX_HEAD) return INVALID;
  // "HTTP/1.x NNN[ reason]"
  if (!s.startsWith('HTTP/1.') || s.charCodeAt(8) !== 32) return INVALID;
  const minor = s.charCodeAt(7) - 48;
  if (minor !== 0 && minor !== 1) return INVALID;
  const status = decimal(s.slice(9, 12));
  const lineEnd = s.indexOf('\r\n');
  if (status < 100 || status > 599 || (lineEnd !== 12 && s.charCodeAt(12) !== 32)) return INVALID;
  for (let i = 12; i < lineEnd; i++) if (FIELD_VALUE[s.charCodeAt(i)] === 0) return INVALID;
  const fields = scanFields(s, lineEnd + 2, stop + 2);
  if (fields < 0) return INVALID;
  if (status === 101) return INVALID; // never asked for an upgrade
  return frame(s, status, length, minor === 1, lineEnd, fields, headRequest);
}

/**
 * Lower-cased name of a field when it is one the relay must look at (framing, hop-by-hop, Date), else "".
 * Most fields (server, content-type, etag...) are rejected on their first letter without a lower-cased copy.
 */
function interesting(s: string, from: number, to: number): string {
  const c = s.charCodeAt(from) | 0x20;
  // c: content-length, connection; t: transfer-encoding, te, trailer; k: keep-alive; u: upgrade; p: proxy-*; d: date
  if (c !== 99 && c !== 116 && c !== 107 && c !== 117 && c !== 112 && c !== 100) return '';
  return s.slice(from, to).toLowerCase();
}

/** Records the fields of `s` from `pos` in the scratch arrays; returns their count or -1 when malformed. */
function scanFields(s: string, pos: number, end: number): number {
  let n = 0;
  while (pos < end) {
    const eol = s.indexOf('\r\n', pos);
    if (n >= MAX_HEADERS) return -1;
    let i = pos;
    while (i < eol && TOKEN[s.charCodeAt(i)] === 1) i++;
    if (i === pos || s.charCodeAt(i) !== 58) return -1;
    names[n] = interesting(s, pos, i);
    lineStarts[n] = pos;
    nameEnds[n] = i;
    i++;
    while (i < eol && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    let vEnd = eol;
    while (vEnd > i && (s.charCodeAt(vEnd - 1) === 32 || s.charCodeAt(vEnd - 1) === 9)) vEnd--;
    // A bare CR or LF could split the response on its way to the client: refused. Other control characters
    // are not looked for byte by byte (the cost of the relay): they pass as the upstream sent them.
    if (s.indexOf('\n', pos) !== eol + 1 || s.indexOf('\r', pos) !== eol) return -1;
    valueStarts[n] = i;
    valueEnds[n] = vEnd;
    n++;
    pos = eol + 2;
  }
  return n;
}

/** The lower-cased name of field `k` (computed when the cheap scan skipped it). */
function nameOf(s: string, k: number): string {
  return names[k] !== '' ? names[k] : s.slice(lineStarts[k], nameEnds[k]).toLowerCase();
}

/** Decides the framing and reuse from the recorded fields. */
function frame(s: string, status: number, length: number, http11: boolean, lineEnd: number, fields: number, headRequest: boolean): ResponseHead | typeof INVALID {
  let cl = -1;
  let chunked = false;
  let close = !http11;
  let connNames: string | undefined;
  let hasDate = false;
  for (let k = 0; k < fields; k++) {
    const name = names[k];
    if (name === 'content-length') {
      if (cl >= 0) return INVALID; // repeated: left out of the fast path's strictness
      cl = decimal(s.slice(valueStarts[k], valueEnds[k]));
      if (cl < 0) return INVALID;
    } else if (name === 'transfer-encoding') {
      if (chunked || s.slice(valueStarts[k], valueEnds[k]).toLowerCase() !== 'chunked') return INVALID;
      chunked = true;
    } else if (name === 'connection') {
      const v = s.slice(valueStarts[k], valueEnds[k]).toLowerCase();
      if (v === 'close') close = true;
      else if (v !== 'keep-alive') {
        if (hasToken(v, 'close')) close = true;
        connNames = connNames === undefined ? v : `${connNames},${v}`;
      }
    } else if (name === 'date') hasDate = true;
  }
  if (chunked && cl >= 0) return INVALID;
  const interim = status < 200;
  let framing: number;
  if (interim || headRequest || status === 204 || status === 304) framing = NO_BODY;
  else if (chunked) framing = CHUNKED;
  else if (cl >= 0) framing = cl === 0 ? NO_BODY : LENGTH;
  else framing = UNTIL_CLOSE;
  const reusable = !close && framing !== UNTIL_CLOSE;
  return { status, interim, length, framing, bodyLength: cl, reusable, text: s, lineEnd, http11, fields, connNames, hasDate };
}

/** Whether field `k` is dropped on the way to the client (hop-by-hop, or named in Connection). */
function dropped(h: ResponseHead, k: number): boolean {
  if (names[k] !== '' && isHopByHop(names[k])) return true;
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
