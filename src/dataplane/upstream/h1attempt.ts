/**
 * One HTTP/1.1 attempt over an undici Pool (pool.ts), as a dispatch handler object: undici calls its methods
 * directly, so an attempt costs one small object and no stream, no closure, no event emitter.
 *
 * The response body is written straight into the client response; when the client cannot keep up
 * (res.write returns false) the upstream connection is paused (controller.pause) until 'drain'.
 * The attempt reports to its owner (the Exchange of forward.ts) exactly once per outcome: head, end, error.
 * An attempt the owner abandoned (a retry on status, a timeout, a failure) is detached: later events are
 * dropped and, when it was aborted, undici closes its connection.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { Dispatcher, Pool } from 'undici';
import type { HeaderBag } from '../filters/headers.ts';
import type { ClientResponse } from '../http/client.ts';

/** The receiver of an attempt's outcome. */
export interface H1Owner {
  /** The final (non-1xx) response head. Return true to stream the body into the client, false to drain it. */
  onH1Head(a: H1Attempt, status: number, message: string | undefined, headers: HeaderBag): boolean;
  /** The body was streamed completely; `trailers` is empty when the upstream sent none. */
  onH1End(a: H1Attempt, trailers: HeaderBag): void;
  /** The attempt failed. `neverProcessed`: a reused idle connection closed under it before any answer. */
  onH1Error(a: H1Attempt, err: Error, neverProcessed: boolean): void;
}

/** The request of one attempt, as given to Pool.dispatch. */
export interface H1Request {
  readonly method: string;
  readonly path: string;
  readonly headers: HeaderBag;
  /** A stream (first attempt) or the kept copy (retries); null when the request has no body. */
  readonly body: Readable | Buffer | null;
  /** TLS server name (SNI); without it undici would derive it from the Host header. */
  readonly servername?: string;
}

/** The reason given to undici when an attempt is abandoned without an error of its own. */
const ABANDONED = new Error('upstream attempt abandoned');

/** Socket-level failures that, on a connection that had answered before, mean it was closed while idle. */
const STALE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * True when the error is a connection closing under a request before any response byte on a connection that
 * had carried earlier exchanges (bytes were read from it): the idle-close race, not the application refusing.
 */
function closedWhileIdle(err: Error): boolean {
  const e = err as Error & { code?: string; socket?: { bytesRead?: number } };
  return e.code !== undefined && STALE_CODES.has(e.code) && (e.socket?.bytesRead ?? 0) > 0;
}

/** A fresh stream carrying the client's body to the first attempt; undici destroys it, never the client request. */
export function bodyStream(src: Readable): PassThrough {
  const pt = new PassThrough();
  src.pipe(pt);
  return pt;
}

/** One HTTP/1.1 exchange with an upstream over an undici Pool. */
export class H1Attempt implements Dispatcher.DispatchHandler {
  private readonly owner: H1Owner;
  /** The client response (HTTP/1.1 or HTTP/2), as the writable both are. */
  private readonly res: NodeJS.WritableStream;
  private controller: Dispatcher.DispatchController | undefined;
  /** The body is being copied into the client response. */
  private streaming = false;
  private headSeen = false;
  /** Abandoned or finished: no further event reaches the owner. */
  private detached = false;
  private resumeOnDrain: (() => void) | undefined;

  constructor(owner: H1Owner, res: ClientResponse) {
    this.owner = owner;
    this.res = res as NodeJS.WritableStream;
  }

  /** Sends the request. Failures (even synchronous ones) arrive through the owner's onH1Error. */
  start(pool: Pool, r: H1Request): void {
    pool.dispatch({ method: r.method, path: r.path, headers: r.headers, body: r.body, ...(r.servername !== undefined && { servername: r.servername }) } as Dispatcher.DispatchOptions, this);
  }

  /**
   * Abandons the attempt and closes its connection. With a `reason` the owner hears of it (as a failure of
   * this attempt) before this returns; without one it is silent.
   */
  destroy(reason?: Error): void {
    if (this.detached) return;
    this.detached = true;
    this.streaming = false;
    this.controller?.abort(reason ?? ABANDONED); // still queued in the pool: aborted in onRequestStart
    if (reason !== undefined) this.owner.onH1Error(this, reason, false);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.detached) controller.abort(ABANDONED);
    else this.controller = controller;
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[] | undefined>, message?: string): void {
    if (this.detached || status < 200) return; // 1xx interim answers are not relayed (as node:http did)
    this.headSeen = true;
    this.streaming = this.owner.onH1Head(this, status, message, headers);
    // Not streamed: the body is drained so the connection goes back to the pool; nothing more is reported.
    if (!this.streaming) this.detached = true;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.streaming) return;
    if (this.res.write(chunk)) return;
    controller.pause();
    this.resumeOnDrain ??= () => this.controller?.resume();
    this.res.once('drain', this.resumeOnDrain);
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    if (!this.streaming) return;
    this.streaming = false;
    this.detached = true;
    this.owner.onH1End(this, trailers);
  }

  onResponseError(_c: Dispatcher.DispatchController | null, err: Error): void {
    if (this.detached) return;
    this.detached = true;
    this.streaming = false;
    this.owner.onH1Error(this, err, !this.headSeen && closedWhileIdle(err));
  }
}
