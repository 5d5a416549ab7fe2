/**
 * One proxied exchange of a fast-path connection: request head (and body, fed by the connection) to a pooled
 * upstream socket, response head rewritten (response.ts), response body relayed verbatim while its framing is
 * tracked (Content-Length countdown, chunked framing, or until close). One instance per client connection,
 * reused for each request in turn, so an exchange allocates no object of its own.
 *
 * Failure mapping, as forward.ts: connect error or reset before the response head → 503 (a request without a
 * body that failed on a reused pooled socket before any response byte is first retried once on a fresh
 * connection: the idle-close race); an invalid response head → 502; failure after the head was sent → the
 * client connection is destroyed, never a truncated body that looks complete.
 */
import type { Socket } from 'node:net';
import type { FilterPlan } from '../filters/plan.ts';
import type { IREndpoint } from '../../ir/types.ts';
import { UNAVAILABLE } from '../upstream/forward.ts';
import { httpDate, localAnswer } from './answers.ts';
import { ChunkedFramer, MALFORMED, MORE } from './chunked.ts';
import { CHUNKED, clientHead, INCOMPLETE, INVALID, LENGTH, NO_BODY, parseResponse, UNTIL_CLOSE } from './response.ts';
import type { UpstreamConn, UpstreamOwner, UpstreamPools } from './upstream.ts';

/** What the exchange needs from its client connection. */
export interface ExchangeClient {
  readonly sock: Socket;
  /** The response went out completely (or a local answer did); `close`: close the client connection now. */
  onExchangeEnd(close: boolean): void;
  /** The upstream accepts request body bytes again. */
  resumeInput(): void;
  /** The connection-field tail of a response head (close or keep-alive). */
  tail(close: boolean): string;
}

/** Body bytes up to this size are sent in the same write as the head (as one latin1 string). */
const SMALL = 4096;

const WAIT_HEAD = 0;
const BODY = 1;
const DONE = 2;

/** The exchange of one client connection. */
export class Exchange implements UpstreamOwner {
  private readonly client: ExchangeClient;
  private readonly pools: UpstreamPools;
  private readonly framer = new ChunkedFramer();
  private up: UpstreamConn | undefined;
  private endpoint: IREndpoint | undefined;
  /** The upstream request head, kept for the one free retry. */
  private head = '';
  private hasBody = false;
  private headRequest = false;
  private plans: readonly FilterPlan[] | undefined;
  private closeClient = false;
  private phase = DONE;
  private retried = false;
  private gotBytes = false;
  private bodySent = false;
  private reusable = false;
  private upPaused = false;
  private framing = NO_BODY;
  private left = 0;
  /** The client response head, until it goes out with the first body bytes. */
  private prefix = '';
  /** Response bytes of an incomplete head. */
  private rbuf: Buffer | undefined;

  constructor(client: ExchangeClient, pools: UpstreamPools) {
    this.client = client;
    this.pools = pools;
  }

  /** Whether an exchange is under way. */
  get active(): boolean {
    return this.phase !== DONE;
  }

  /**
   * Sends `head` upstream. `plans`: the plans whose response modifiers apply (undefined: none).
   * `closeClient`: the client asked to close after this exchange.
   */
  start(ep: IREndpoint, head: string, hasBody: boolean, headRequest: boolean, plans: readonly FilterPlan[] | undefined, closeClient: boolean): void {
    this.endpoint = ep;
    this.head = head;
    this.hasBody = hasBody;
    this.headRequest = headRequest;
    this.plans = plans;
    this.closeClient = closeClient;
    this.phase = WAIT_HEAD;
    this.retried = false;
    this.gotBytes = false;
    this.bodySent = !hasBody;
    this.upPaused = false;
    this.rbuf = undefined;
    this.prefix = '';
    this.send(false);
  }

  private send(fresh: boolean): void {
    const up = this.pools.acquire(this.endpoint!, this, fresh);
    this.up = up;
    up.sock.write(this.head, 'latin1');
  }

  /** Request body bytes; false when the upstream wants the client to pause. */
  body(chunk: Buffer): boolean {
    return this.up === undefined || this.phase === DONE ? true : this.up.sock.write(chunk);
  }

  /** The request body was forwarded completely. */
  bodyEnd(): void {
    this.bodySent = true;
  }

  onUpstreamData(c: UpstreamConn, chunk: Buffer): void {
    if (c !== this.up) return;
    this.gotBytes = true;
    if (this.phase === WAIT_HEAD) this.readHead(chunk);
    else if (this.phase === BODY) this.relay(chunk, 0);
  }

  private readHead(chunk: Buffer): void {
    const buf = this.rbuf === undefined ? chunk : Buffer.concat([this.rbuf, chunk]);
    this.rbuf = undefined;
    let off = 0;
    for (;;) {
      const r = parseResponse(buf, off, buf.length, this.headRequest);
      if (r === INCOMPLETE) {
        this.rbuf = Buffer.from(off === 0 ? buf : buf.subarray(off)); // a copy: `chunk` is reused by the next read
        return;
      }
      if (r === INVALID) {
        this.local(502);
        return;
      }
      off += r.length;
      if (r.interim) continue; // 1xx: not relayed (as on the node:http path)
      if (r.framing === UNTIL_CLOSE) this.closeClient = true;
      this.framing = r.framing;
      this.left = r.bodyLength;
      this.reusable = r.reusable;
      this.framer.reset();
      this.phase = BODY;
      // The head goes out with the first body bytes in one write (one syscall for a small answer).
      this.prefix = clientHead(r, this.plans, httpDate(), this.client.tail(this.closeClient));
      if (r.framing === NO_BODY) {
        if (off < buf.length) this.reusable = false; // bytes after a body-less answer: do not trust the connection
        this.flushPrefix();
        this.finish();
        return;
      }
      if (r.framing === LENGTH && this.smallBody(r.text, r.length, buf.length - off)) return;
      if (off < buf.length) this.relay(buf, off);
      if (this.prefix !== '') this.flushPrefix(); // the body starts in a later read
      return;
    }
  }

  /**
   * A Content-Length body that came whole (or its start) with the head, small, and already decoded with it:
   * sent with the head as one string. Returns false when the general relay must do it.
   */
  private smallBody(text: string, from: number, avail: number): boolean {
    const n = Math.min(this.left, avail);
    if (n > SMALL || from + n > text.length) return false;
    this.left -= n;
    this.send1(this.prefix + text.slice(from, from + n));
    this.prefix = '';
    if (this.left > 0) return true;
    if (n < avail) this.reusable = false; // bytes after the body: do not trust the connection
    this.finish();
    return true;
  }

  /** Relays buf[off..] of the response body, up to the end of the message. */
  private relay(buf: Buffer, off: number): void {
    const end = buf.length;
    if (this.framing === LENGTH) {
      const n = Math.min(this.left, end - off);
      this.left -= n;
      this.write(off === 0 && n === end ? buf : buf.subarray(off, off + n));
      if (this.left > 0) return;
      if (off + n < end) this.reusable = false;
      this.finish();
    } else if (this.framing === CHUNKED) {
      const r = this.framer.feed(buf, off, end);
      if (r === MALFORMED) this.fail();
      else if (r === MORE) this.write(off === 0 ? buf : buf.subarray(off));
      else {
        this.write(buf.subarray(off, r));
        if (r < end) this.reusable = false;
        this.finish();
      }
    } else this.write(off === 0 ? buf : buf.subarray(off)); // until close
  }

  private flushPrefix(): void {
    const p = this.prefix;
    this.prefix = '';
    this.client.sock.write(p, 'latin1');
  }

  /**
   * Relays body bytes. A small chunk goes as a latin1 string (copied by the write); a large one as a copy
   * from the pools' recycled blocks, returned when the write is done: the chunk itself lives in the read
   * buffer every upstream socket shares, which a queued write must never hold (UpstreamPools.copyOf).
   */
  private write(chunk: Buffer): void {
    const sock = this.client.sock;
    if (chunk.length <= SMALL) {
      if (this.prefix === '') this.pauseUnless(sock.write(chunk.toString('latin1'), 'latin1'));
      else {
        this.send1(this.prefix + chunk.toString('latin1'));
        this.prefix = '';
      }
      return;
    }
    const { copy, recycle } = this.pools.copyOf(chunk);
    if (this.prefix === '') this.pauseUnless(sock.write(copy, recycle));
    else {
      sock.cork();
      this.flushPrefix();
      this.pauseUnless(sock.write(copy, recycle));
      sock.uncork();
    }
  }

  /** Writes a latin1 string to the client. */
  private send1(text: string): void {
    this.pauseUnless(this.client.sock.write(text, 'latin1'));
  }

  /** Backpressure: a client that cannot take more pauses the upstream until it drains. */
  private pauseUnless(ok: boolean): void {
    if (ok || this.up === undefined) return;
    this.upPaused = true;
    this.up.sock.pause();
  }

  /** The client drained: let the upstream flow again. */
  onClientDrain(): void {
    if (!this.upPaused) return;
    this.upPaused = false;
    this.up?.sock.resume();
  }

  onUpstreamDrain(c: UpstreamConn): void {
    if (c === this.up) this.client.resumeInput();
  }

  onUpstreamEnd(c: UpstreamConn, err: Error | undefined): void {
    if (c !== this.up) return;
    this.up = undefined;
    if (this.phase === WAIT_HEAD) {
      if (!this.gotBytes && c.reused && !this.hasBody && !this.retried) {
        this.retried = true;
        this.send(true);
      } else this.local(503, UNAVAILABLE);
    } else if (this.phase === BODY) {
      if (this.framing === UNTIL_CLOSE && err === undefined) this.finish(); // a clean close ends the body
      else this.fail();
    }
  }

  /** The response is complete: pool or close the upstream socket, then tell the connection. */
  private finish(): void {
    this.phase = DONE;
    const up = this.up;
    this.up = undefined;
    if (up !== undefined) {
      if (this.reusable && this.bodySent) {
        if (this.upPaused) up.sock.resume();
        this.pools.release(up);
      } else up.destroy();
    }
    this.client.onExchangeEnd(this.closeClient);
  }

  /** Answers locally before any response byte went out; closes when part of the request body may be unread. */
  private local(status: number, body?: string): void {
    this.phase = DONE;
    this.up?.destroy();
    this.up = undefined;
    const close = this.closeClient || this.hasBody;
    this.client.sock.write(localAnswer(status, this.headRequest, this.client.tail(close), body), 'latin1');
    this.client.onExchangeEnd(close);
  }

  /** Failure mid-response: both sides are cut. */
  fail(): void {
    this.abort();
    this.client.sock.destroy();
  }

  /** The client went away (or failed): drop the upstream side. */
  abort(): void {
    this.phase = DONE;
    this.up?.destroy();
    this.up = undefined;
  }
}
