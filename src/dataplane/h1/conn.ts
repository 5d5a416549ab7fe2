/**
 * An HTTP/1.1 client connection on the fast path, plaintext or the decrypted side of a TLS one: reads request
 * heads off the socket, routes them, answers locally or proxies through its Exchange, streams request bodies
 * (Content-Length or chunked, framing checked, bytes verbatim), and answers pipelined requests in order: the
 * next head is parsed only once the previous response ended, its bytes meanwhile wait in a bounded buffer
 * (the socket is paused past it).
 *
 * Anything the fast path does not accept (request.ts, route.ts) makes it hand the connection over to node:http
 * at that request boundary, nothing in flight: the unconsumed bytes go back onto the socket and node:http
 * serves the rest of the connection with all its features and error answers.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { HeaderBag } from '../filters/headers.ts';
import { normalisePath } from '../router/normalize.ts';
import { matchRoute, type RouteRequest } from '../router/router.ts';
import { localAnswer } from './answers.ts';
import { coarseNow } from './clock.ts';
import { ChunkedFramer, MALFORMED, MORE } from './chunked.ts';
import { Exchange, type ExchangeClient } from './exchange.ts';
import { BAIL, NEED_MORE, parseRequest, type RequestHead } from './request.ts';
import { fastRoute, plansOf, responseEdits, upstreamHead } from './route.ts';
import type { H1Front } from './engine.ts';
import { isMisdirected } from '../tls/misdirect.ts';

/** Bytes of pipelined requests buffered while a response is under way before the socket is paused. */
export const MAX_PENDING = 64 * 1024;

/** node:http's default headersTimeout: a head must be complete this long after its first byte. */
export const HEADERS_TIMEOUT_MS = 60_000;

const NO_HEADERS: HeaderBag = {};

/** The router's view of the request being dispatched: one object, refilled per request (matchRoute keeps none). */
const routeRequest: { -readonly [K in keyof RouteRequest]: RouteRequest[K] } = { host: '', method: '', path: '', query: '', headers: NO_HEADERS };

/** One client connection served by the fast path. */
export class H1Conn implements ExchangeClient {
  readonly sock: Socket;
  private readonly front: H1Front;
  private readonly ex: Exchange;
  private readonly framer = new ChunkedFramer();
  private readonly remote: string | undefined;
  /** The connection is TLS (an HTTPS listener): its SNI, or '' when the client sent none; undefined on plaintext. */
  private readonly sni: string | undefined;
  private buf: Buffer | undefined;
  private off = 0;
  /** An exchange is in flight (from its head until its response ended). */
  private busy = false;
  /** Content-Length bytes still to forward; -1 while a chunked body streams. */
  private bodyLeft = 0;
  private bodyDone = true;
  private closeAfter = false;
  private paused = false;
  /** When the first bytes of an incomplete head arrived (0: none pending). */
  private headSince = 0;
  private draining = false;
  private gone = false;
  /** The coarse clock (clock.ts) when the last exchange ended (or the connection opened). */
  private lastActive: number;

  constructor(sock: Socket, front: H1Front) {
    this.sock = sock;
    this.front = front;
    this.ex = new Exchange(this, front.pools);
    const a = sock.remoteAddress;
    this.remote = a !== undefined && a.startsWith('::ffff:') ? a.slice(7) : a;
    this.sni = (sock as TLSSocket).encrypted === true ? ((sock as TLSSocket).servername || '') : undefined;
    sock.on('data', this.onData);
    sock.on('drain', this.onDrain);
    sock.on('close', this.onClose);
    sock.setNoDelay(true); // as node:http does: a head and a body sent apart must not wait for an ACK
    this.lastActive = coarseNow();
  }

  /** Bytes from the client (the first ones come from the sniffer). */
  readonly onData = (chunk: Buffer): void => {
    if (this.gone) return; // closing: whatever else the client sends is not read
    const buf = this.buf;
    if (buf === undefined || this.off >= buf.length) this.buf = chunk;
    else this.buf = Buffer.concat([this.off === 0 ? buf : buf.subarray(this.off), chunk]);
    this.off = 0;
    this.pump();
  };

  /** The client read what we wrote: resume the upstream of a response, or our own reading after local answers. */
  private readonly onDrain = (): void => {
    if (this.ex.active) this.ex.onClientDrain();
    else if (!this.busy) {
      this.resumeInput();
      this.pump();
    }
  };

  private readonly onClose = (): void => {
    this.gone = true;
    if (this.ex.active) this.ex.abort();
    this.front.forget(this);
  };

  /**
   * Called by the front's sweep (instead of a socket timeout, which would re-arm a timer on every read and
   * write): idle too long since the last exchange (between requests, or in the middle of a head) → close.
   */
  sweep(now: number, idleMs: number): void {
    if (!this.busy && now - this.lastActive > idleMs) this.sock.destroy();
  }

  /** Works through buffered bytes: request body of the exchange in flight, or the next head. */
  private pump(): void {
    while (!this.gone) {
      const buf = this.buf;
      if (buf === undefined || this.off >= buf.length) {
        this.buf = undefined;
        this.off = 0;
        return;
      }
      if (this.busy) {
        if (this.bodyDone) {
          if (buf.length - this.off > MAX_PENDING) this.pause();
          return;
        }
        this.forwardBody(buf);
        continue;
      }
      const r = parseRequest(buf, this.off, buf.length);
      if (r === NEED_MORE) {
        this.waitForHead();
        return;
      }
      this.headSince = 0;
      if (r === BAIL || !this.dispatch(r)) {
        this.handOver();
        return;
      }
    }
  }

  /** Slow-loris guard: a head trickling in for longer than node's headersTimeout ends the connection. */
  private waitForHead(): void {
    const now = Date.now();
    if (this.headSince === 0) this.headSince = now;
    else if (now - this.headSince > HEADERS_TIMEOUT_MS) {
      this.sock.end('HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      this.gone = true;
    }
  }

  /** Routes one request; false when node:http must serve it (nothing was sent or consumed). */
  private dispatch(head: RequestHead): boolean {
    const socket = this.front.socket();
    if (socket === undefined) return false;
    // HTTPS: a Host that selects another listener than the SNI did goes to node:http, which answers 421.
    if (this.sni === undefined ? socket.protocol !== 'HTTP' : socket.protocol !== 'HTTPS' || isMisdirected(this.sni, head.host, socket.listeners)) return false;
    const q = routeRequest;
    q.host = head.host;
    q.method = head.method;
    q.path = normalisePath(head.path);
    q.query = head.query;
    q.headers = head.headers;
    const hit = matchRoute(socket, q);
    q.headers = NO_HEADERS; // nothing of the request stays reachable from the module
    if (hit.route === undefined) return this.answer(404, head);
    const route = hit.route;
    if (!fastRoute(route)) return false;
    const backend = route.picker.pick();
    if (backend === undefined) return this.answer(route.noBackendStatus, head);
    if (backend.ir.invalid !== undefined) return this.answer(backend.ir.invalid.status, head);
    const endpoint = backend.nextEndpoint();
    if (endpoint === undefined) return this.answer(503, head);
    const plans = plansOf(route, route.backendPlans[backend.index]);
    this.front.stats.served++;
    this.off += head.length;
    this.busy = true;
    this.closeAfter = head.close;
    this.bodyLeft = head.bodyLength;
    this.bodyDone = head.bodyLength === 0;
    if (head.bodyLength < 0) this.framer.reset();
    this.ex.start(endpoint, upstreamHead(head, this.remote, plans, this.sni === undefined ? 'http' : 'https'), !this.bodyDone, head.method === 'HEAD', responseEdits(plans), head.close || this.draining);
    return true;
  }

  /** A local answer to a request without a body; one with a body goes to node:http instead. */
  private answer(status: number, head: RequestHead): boolean {
    if (head.bodyLength !== 0) return false;
    this.front.stats.served++;
    this.off += head.length;
    const close = head.close || this.draining;
    // A client that pipelines requests but reads no answers must not grow our write buffer: stop reading
    // until it drains (what is already buffered is bounded by MAX_PENDING plus one read).
    if (!this.sock.write(localAnswer(status, head.method === 'HEAD', this.tail(close)), 'latin1')) this.pause();
    this.lastActive = coarseNow();
    if (close) this.closeNow();
    return true;
  }

  /** Forwards the body bytes at the front of the buffer to the exchange. */
  private forwardBody(buf: Buffer): void {
    const off = this.off;
    let end: number;
    if (this.bodyLeft > 0) {
      end = Math.min(buf.length, off + this.bodyLeft);
      this.bodyLeft -= end - off;
      if (this.bodyLeft === 0) this.bodyDone = true;
    } else {
      const r = this.framer.feed(buf, off, buf.length);
      if (r === MALFORMED) {
        this.ex.fail();
        return;
      }
      end = r === MORE ? buf.length : r;
      if (r !== MORE) this.bodyDone = true;
    }
    this.off = end;
    const ok = this.ex.body(off === 0 && end === buf.length ? buf : buf.subarray(off, end));
    if (this.bodyDone) this.ex.bodyEnd();
    if (!ok) this.pause();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.sock.pause();
  }

  /** Upstream drained (or an exchange ended): read from the client again unless the buffer is full. */
  resumeInput(): void {
    if (!this.paused || this.gone) return;
    if (this.busy && this.bodyDone && this.buf !== undefined && this.buf.length - this.off > MAX_PENDING) return;
    this.paused = false;
    this.sock.resume();
  }

  tail(close: boolean): string {
    return close || this.draining ? this.front.tails.close : this.front.tails.keepAlive;
  }

  onExchangeEnd(close: boolean): void {
    this.busy = false;
    this.lastActive = coarseNow();
    // A response that ended before the request body did leaves the connection mid-request: close it.
    if (close || this.closeAfter || this.draining || !this.bodyDone) {
      this.closeNow();
      return;
    }
    this.resumeInput();
    this.pump();
  }

  private closeNow(): void {
    this.gone = true;
    this.sock.end();
  }

  /** Listener removal: an idle connection closes now, a busy one after its response. */
  drain(): void {
    this.draining = true;
    if (!this.busy) this.sock.destroy();
  }

  /** Gives the connection to node:http with the bytes not consumed yet. */
  private handOver(): void {
    const sock = this.sock;
    sock.removeListener('data', this.onData);
    sock.removeListener('drain', this.onDrain);
    sock.removeListener('close', this.onClose);
    this.gone = true;
    const buf = this.buf;
    const rest = buf !== undefined && this.off < buf.length ? buf.subarray(this.off) : undefined;
    this.buf = undefined;
    this.paused = false;
    this.front.handOver(this, rest);
  }
}
