/**
 * The heads and local answers the fast path writes itself, byte for byte what node:http's ServerResponse
 * writes for the same answer on the other path (Date, Connection / Keep-Alive, the plain-text local replies of
 * http/respond.ts), so a client cannot tell which path served it.
 */
import { STATUS_CODES } from 'node:http';
import { localBody } from '../http/respond.ts';
import { coarseNow } from './clock.ts';

let dateSecond = -1;
let dateText = '';

/** The IMF-fixdate of now (to within the coarse clock's tick), recomputed at most once a second. */
export function httpDate(): string {
  const now = coarseNow();
  const sec = Math.floor(now / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}

/** The end of a response head: connection fields and the empty line. */
export interface Tails {
  readonly keepAlive: string;
  readonly close: string;
}

/** Tails for a client idle timeout of `idleMs` (node:http announces it as "Keep-Alive: timeout=S"). */
export function tails(idleMs: number): Tails {
  return { keepAlive: `connection: keep-alive\r\nkeep-alive: timeout=${Math.floor(idleMs / 1000)}\r\n\r\n`, close: 'connection: close\r\n\r\n' };
}

/** A complete local plain-text answer (head, and body unless `head` is set: a HEAD request). */
export function localAnswer(status: number, head: boolean, tail: string, body = localBody(status)): string {
  const h = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\ndate: ${httpDate()}\r\n${tail}`;
  return head ? h : h + body;
}
