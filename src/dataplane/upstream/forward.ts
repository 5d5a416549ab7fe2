/**
 * Forwards one request to an upstream endpoint and streams the answer back, with backpressure both ways
 * (pipe), per-attempt and whole-request timeouts, and retries for body-less requests.
 *
 * Failure mapping: connect error / reset before the response head → 502; backendRequest timeout → 504;
 * failure after the response head was sent → the client connection is destroyed (never a truncated body
 * that looks complete).
 */
import { request, type Agent, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { IREndpoint, IRRetry } from '../../ir/types.ts';
import type { CompiledBackend } from '../compile/backends.ts';
import type { HeaderBag } from '../filters/headers.ts';
import { sendLocal } from '../http/respond.ts';
import { copyEndToEnd } from './headers.ts';

/** Edits applied to the upstream response head before it is sent to the client. */
export interface ResponseEditor {
  edit(headers: HeaderBag): void;
}

/** Everything one forwarded exchange needs. */
export interface ForwardRequest {
  readonly agent: Agent;
  readonly backend: CompiledBackend;
  readonly endpoint: IREndpoint;
  readonly method: string;
  /** Path plus query, as sent upstream. */
  readonly path: string;
  readonly headers: HeaderBag;
  readonly hasBody: boolean;
  readonly requestTimeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly retry: IRRetry | undefined;
  readonly editor: ResponseEditor | undefined;
}

/** Marks an attempt that ran out of time. */
class AttemptTimeout extends Error {
  readonly code = 'GATEHOUSE_UPSTREAM_TIMEOUT';
}

/** One client request's journey upstream; a class so handlers are methods, not per-request closures. */
class Exchange {
  private readonly f: ForwardRequest;
  private readonly req: IncomingMessage;
  private readonly res: ServerResponse;
  private upReq: ClientRequest | undefined;
  private attempts = 0;
  private staleRetried = false;
  private finished = false;
  private requestTimer: NodeJS.Timeout | undefined;
  private attemptTimer: NodeJS.Timeout | undefined;

  constructor(f: ForwardRequest, req: IncomingMessage, res: ServerResponse) {
    this.f = f;
    this.req = req;
    this.res = res;
  }

  start(): void {
    this.res.once('close', () => this.onClientClose());
    if (this.f.requestTimeoutMs > 0) this.requestTimer = setTimeout(() => this.onRequestTimeout(), this.f.requestTimeoutMs);
    this.send(this.f.endpoint);
  }

  private send(ep: IREndpoint): void {
    this.attempts++;
    const up = request({
      agent: this.f.agent,
      host: ep.address,
      port: ep.port,
      method: this.f.method,
      path: this.f.path,
      headers: this.f.headers,
      setHost: false,
      joinDuplicateHeaders: true,
    });
    this.upReq = up;
    up.on('response', (r) => this.onResponse(up, r));
    up.on('error', (e) => this.onUpstreamError(up, e));
    if (this.f.attemptTimeoutMs > 0) {
      clearTimeout(this.attemptTimer);
      this.attemptTimer = setTimeout(() => up.destroy(new AttemptTimeout('backend request timed out')), this.f.attemptTimeoutMs);
    }
    if (this.f.hasBody) this.req.pipe(up);
    else up.end();
  }

  private onResponse(up: ClientRequest, r: IncomingMessage): void {
    if (up !== this.upReq || this.finished) {
      r.resume();
      return;
    }
    const status = r.statusCode ?? 502;
    const retry = this.f.retry;
    if (retry !== undefined && retry.codes.includes(status) && this.canRetry()) {
      r.resume(); // drain so the connection goes back to the pool
      this.scheduleRetry();
      return;
    }
    const headers = copyEndToEnd(r.headers);
    this.f.editor?.edit(headers);
    this.res.writeHead(status, r.statusMessage, headers);
    r.on('error', () => this.fail());
    // An upstream that dies mid-body closes the message before it is complete.
    r.on('close', () => {
      if (!r.complete) this.fail();
    });
    r.on('end', () => this.done());
    r.pipe(this.res);
  }

  private onUpstreamError(up: ClientRequest, err: Error): void {
    if (up !== this.upReq || this.finished) return;
    if (this.res.headersSent) {
      this.fail();
      return;
    }
    if (err instanceof AttemptTimeout) {
      if (this.canRetry()) this.scheduleRetry();
      else this.reply(504);
      return;
    }
    // A pooled socket the upstream closed while idle: one silent retry, as it never reached the server.
    if (up.reusedSocket && !this.staleRetried && !this.f.hasBody) {
      this.staleRetried = true;
      this.attempts--;
      this.send(this.nextEndpoint());
      return;
    }
    if (this.canRetry()) this.scheduleRetry();
    else this.reply(502);
  }

  private canRetry(): boolean {
    const r = this.f.retry;
    return r !== undefined && !this.f.hasBody && this.attempts <= r.attempts;
  }

  private scheduleRetry(): void {
    clearTimeout(this.attemptTimer);
    const backoff = this.f.retry?.backoffMs ?? 0;
    if (backoff > 0) this.attemptTimer = setTimeout(() => this.retryNow(), backoff);
    else this.retryNow();
  }

  private retryNow(): void {
    if (!this.finished) this.send(this.nextEndpoint());
  }

  private nextEndpoint(): IREndpoint {
    return this.f.backend.nextEndpoint() ?? this.f.endpoint;
  }

  private onRequestTimeout(): void {
    if (this.finished) return;
    if (this.res.headersSent) this.fail();
    else this.reply(504);
  }

  private onClientClose(): void {
    if (!this.res.writableFinished) this.fail();
    this.done();
  }

  /** Local reply; Connection: close when part of the client body may be left unread. */
  private reply(status: number): void {
    this.done();
    this.upReq?.destroy();
    sendLocal(this.res, status, undefined, this.f.hasBody);
  }

  /** Abort both sides after a failure mid-stream. */
  private fail(): void {
    this.done();
    this.upReq?.destroy();
    this.res.destroy();
  }

  private done(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.requestTimer);
    clearTimeout(this.attemptTimer);
  }
}

/** Proxies `req` to the endpoint and streams the response into `res`. */
export function forward(f: ForwardRequest, req: IncomingMessage, res: ServerResponse): void {
  new Exchange(f, req, res).start();
}
