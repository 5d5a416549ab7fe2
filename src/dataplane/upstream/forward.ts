/**
 * Forwards one request to an upstream endpoint and streams the answer back, with backpressure both ways
 * (pipe), per-attempt and whole-request timeouts, and retries. A request body is streamed to the first
 * attempt; when a retry policy applies and the body is small (Content-Length up to REPLAY_LIMIT) a copy is
 * kept as it streams so a retry can send it again; larger or unsized bodies are not retried. The upstream speaks
 * HTTP/1.1 over an undici Pool per endpoint (h1attempt.ts, pool.ts: measured 1.6x+ the node:http Agent), or
 * HTTP/2 cleartext over a pooled session (backend protocol h2c); trailers are relayed either way.
 * One case stays on node:http's keep-alive Agent: a request with an Expect header, which undici refuses to send.
 *
 * Failure mapping, once retries are spent: connect error / reset before the response head → 503 (the
 * upstream is unavailable; the conformance retry tests accept only 500 or 503 here); a response that is not
 * valid HTTP → 502; a failed TLS handshake with a BackendTLSPolicy backend (tls.ts: untrusted, expired or
 * misnamed certificate) → 502, logged, never a plaintext retry; backendRequest timeout → 504; failure after the response head was sent → the client
 * connection is destroyed (never a truncated body that looks complete).
 */
import { request, type Agent, type ClientRequest as H1Request, type IncomingMessage } from 'node:http';
import { constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from 'node:http2';
import { PassThrough, type Readable } from 'node:stream';
import type { IREndpoint, IRRetry } from '../../ir/types.ts';
import type { CompiledBackend } from '../compile/backends.ts';
import type { HeaderBag } from '../filters/headers.ts';
import { writeHead, type ClientRequest, type ClientResponse } from '../http/client.ts';
import { sendTrailersOnly } from '../http/grpc.ts';
import { sendLocal } from '../http/respond.ts';
import { bodyStream, H1Attempt, type H1Owner } from './h1attempt.ts';
import { REFUSED_STREAM, type H2Pool } from './h2pool.ts';
import type { UpstreamPools } from './pool.ts';
import type { TlsOrigin, TlsOrigins } from './tls.ts';
import { copyEndToEnd, h2RequestHeaders, wantsTrailers } from './headers.ts';

/** Edits applied to the upstream response head before it is sent to the client. */
export interface ResponseEditor {
  edit(headers: HeaderBag): void;
}

/** Everything one forwarded exchange needs. */
export interface ForwardRequest {
  /** HTTP/1.1 pools of plaintext endpoints. */
  readonly pools: UpstreamPools;
  /** node:http Agent for the requests undici cannot send (Expect). */
  readonly agent: Agent;
  readonly h2: H2Pool;
  /** TLS origination (BackendTLSPolicy). A TLS backend without it is refused (502), never sent plaintext. */
  readonly tls?: TlsOrigins;
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

/** The stream closed before any response head arrived and without an error of its own. */
class NoResponse extends Error {
  readonly code = 'GATEHOUSE_UPSTREAM_NO_RESPONSE';
}

type Upstream = H1Attempt | H1Request | ClientHttp2Stream;

/** Bodies up to this many bytes (by Content-Length) are kept for retries. */
export const REPLAY_LIMIT = 64 * 1024;

/** The declared body length, or Infinity when unknown (chunked, HTTP/2 without content-length). */
function declaredLength(req: ClientRequest): number {
  const cl = req.headers['content-length'];
  const n = cl === undefined ? NaN : Number(cl);
  return Number.isFinite(n) ? n : Infinity;
}

/** Body of the 503 sent when the upstream could not be reached or reset before answering. */
export const UNAVAILABLE = 'service unavailable: upstream connect error or reset before response\n';

/** Body of the 502 sent when the TLS handshake with the upstream failed (certificate not trusted, wrong name...). */
const TLS_FAILED = 'bad gateway: TLS handshake with the upstream failed\n';

/** Errors that mean the upstream spoke broken HTTP rather than being unreachable (node:http and undici codes). */
function isProtocolError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return code.startsWith('HPE_') || code === 'UND_ERR_HEADERS_OVERFLOW' || err.message.includes('PROTOCOL_ERROR');
}

/** undici refused the request itself (a header it cannot carry): retrying would fail the same way. */
function isUnsendable(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED';
}

/** The exchange a client response belongs to, so one shared 'close' listener serves every request. */
const EXCHANGE = Symbol('gatehouse.exchange');

/** The client response's 'close' listener: a module function, not a closure per request. */
function onResponseClose(this: ClientResponse & { [EXCHANGE]?: Exchange }): void {
  this[EXCHANGE]?.onClientClose();
}

/** One client request's journey upstream; a class so handlers are methods, not per-request state closures. */
class Exchange implements H1Owner {
  private readonly f: ForwardRequest;
  private readonly req: ClientRequest;
  private readonly res: ClientResponse;
  /** TLS origination for this backend (BackendTLSPolicy), resolved once per exchange. */
  private readonly origin: TlsOrigin | undefined;
  /** Endpoint of the attempt in flight, for logs. */
  private ep: IREndpoint;
  /** The attempt in flight; events from an abandoned attempt are ignored by comparing against it. */
  private up: Upstream | undefined;
  /** Where the client body is piped for the first attempt (the upstream stream, or undici's body stream). */
  private bodySink: NodeJS.WritableStream | undefined;
  private h2Headers: HeaderBag | undefined;
  private h2Trailers: HeaderBag | undefined;
  /** Copy of the request body for retries (only when a retry policy applies and the body is small). */
  private replay: Buffer[] | undefined;
  private replayComplete = false;
  private waitingForBody = false;
  private bodyPiped = false;
  private attempts = 0;
  private freeRetryUsed = false;
  private bodyEnded = false;
  private finished = false;
  private requestTimer: NodeJS.Timeout | undefined;
  private attemptTimer: NodeJS.Timeout | undefined;

  constructor(f: ForwardRequest, req: ClientRequest, res: ClientResponse) {
    this.f = f;
    this.req = req;
    this.res = res;
    const tls = f.backend.ir.tls;
    this.origin = tls === undefined ? undefined : f.tls?.origin(tls);
    this.ep = f.endpoint;
  }

  start(): void {
    (this.res as ClientResponse & { [EXCHANGE]?: Exchange })[EXCHANGE] = this;
    (this.res as NodeJS.EventEmitter).on('close', onResponseClose); // 'close' fires once; `once` would wrap it
    if (this.f.requestTimeoutMs > 0) this.requestTimer = setTimeout(() => this.onRequestTimeout(), this.f.requestTimeoutMs);
    if (this.f.retry !== undefined && this.f.hasBody && declaredLength(this.req) <= REPLAY_LIMIT) this.keepBody();
    this.send(this.f.endpoint);
  }

  /** Keeps the chunks of the body as they stream to the first attempt. */
  private keepBody(): void {
    const chunks: Buffer[] = [];
    this.replay = chunks;
    this.req.on('data', (c: Buffer) => chunks.push(c));
    this.req.once('end', () => {
      this.replayComplete = true;
      if (this.waitingForBody) {
        this.waitingForBody = false;
        this.retryNow();
      }
    });
  }

  /** First attempt: stream the client body. Later ones: send the kept copy. */
  private writeBody(up: H1Request | ClientHttp2Stream): void {
    if (!this.bodyPiped) {
      this.bodyPiped = true;
      this.bodySink = up;
      this.req.pipe(up);
    } else up.end(Buffer.concat(this.replay ?? []));
  }

  /** The body of an undici attempt: the client's stream the first time, the kept copy after. */
  private h1Body(): Readable | Buffer | null {
    if (!this.f.hasBody) return null;
    if (this.bodyPiped) return Buffer.concat(this.replay ?? []);
    this.bodyPiped = true;
    const pt = bodyStream(this.req);
    this.bodySink = pt;
    return pt;
  }

  private send(ep: IREndpoint): void {
    this.attempts++;
    this.ep = ep;
    if (this.f.backend.ir.tls !== undefined && this.origin === undefined) {
      this.reply(502, TLS_FAILED); // TLS is required and this plane cannot originate it: never plaintext
      return;
    }
    const up = this.f.backend.ir.protocol === 'h2c' ? this.openH2(ep) : this.f.headers['expect'] === undefined ? this.openH1(ep) : this.openNodeH1(ep);
    if (up === undefined || up !== this.up || this.f.attemptTimeoutMs <= 0) return;
    clearTimeout(this.attemptTimer);
    this.attemptTimer = setTimeout(() => up.destroy(new AttemptTimeout('backend request timed out')), this.f.attemptTimeoutMs);
  }

  /** HTTP/1.1 through the endpoint's undici Pool: the hot path. */
  private openH1(ep: IREndpoint): Upstream | undefined {
    const a = new H1Attempt(this, this.res);
    this.up = a;
    const origin = this.origin;
    const pools = origin === undefined ? this.f.pools : origin.pools;
    a.start(pools.get(ep), {
      method: this.f.method, path: this.f.path, headers: this.f.headers, body: this.h1Body(),
      servername: origin?.settings.servername,
    });
    return this.up === a ? a : undefined; // a synchronous failure was handled already
  }

  /** HTTP/1.1 through node:http, for what undici refuses to send (an Expect header). */
  private openNodeH1(ep: IREndpoint): Upstream | undefined {
    let up: H1Request;
    try {
      up = request({
        agent: this.origin?.agent ?? this.f.agent, ...(this.origin && { protocol: 'https:' }),
        host: ep.address, port: ep.port, method: this.f.method, path: this.f.path,
        headers: this.f.headers, setHost: false, joinDuplicateHeaders: true,
      });
    } catch (err) {
      // Only a header the upstream protocol cannot carry gets here; retrying would fail the same way.
      this.reply(502);
      return undefined;
    }
    this.up = up;
    up.on('response', (r) => this.onH1Response(up, r));
    up.on('error', (e) => this.onUpstreamError(up, e, up.reusedSocket));
    if (this.f.hasBody) this.writeBody(up);
    else up.end();
    return up;
  }

  private openH2(ep: IREndpoint): Upstream | undefined {
    this.h2Headers ??= h2RequestHeaders(this.f.headers, this.f.method, this.f.path, wantsTrailers(this.req.headers['te']));
    let session: ClientHttp2Session | undefined;
    let stream: ClientHttp2Stream;
    const pool = this.origin?.h2 ?? this.f.h2;
    try {
      session = pool.session(ep);
      stream = session.request(this.h2Headers, { endStream: !this.f.hasBody });
    } catch (err) {
      // The session went away under us (GOAWAY, stream ids exhausted): nothing was sent, a fresh one may do.
      if (session !== undefined) pool.discard(ep, session);
      this.up = undefined;
      this.onUpstreamError(undefined, err as Error, true);
      return undefined;
    }
    this.up = stream;
    stream.on('response', (h, flags) => this.onH2Response(stream, h, (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0));
    stream.on('trailers', (h) => (this.h2Trailers = copyEndToEnd(h as HeaderBag)));
    stream.on('error', (e) => this.onUpstreamError(stream, e, stream.rstCode === REFUSED_STREAM));
    stream.on('close', () => this.onH2Close(stream));
    if (this.f.hasBody) this.writeBody(stream);
    return stream;
  }

  private onH1Response(up: H1Request, r: IncomingMessage): void {
    if (up !== this.up || this.finished) {
      r.resume();
      return;
    }
    const status = r.statusCode ?? 502;
    if (this.retryOnStatus(status)) {
      r.resume(); // drain so the connection goes back to the pool
      return;
    }
    this.respond(status, r.statusMessage, r.headers, r);
  }

  private onH2Response(stream: ClientHttp2Stream, h: IncomingHttpHeaders & IncomingHttpStatusHeader, headOnly: boolean): void {
    if (stream !== this.up || this.finished) {
      stream.close(constants.NGHTTP2_CANCEL);
      return;
    }
    const status = h[':status'] ?? 502;
    if (this.retryOnStatus(status)) {
      stream.close(constants.NGHTTP2_CANCEL); // cheaper than draining: the session stays usable either way
      return;
    }
    this.respond(status, undefined, h as HeaderBag, stream, headOnly);
  }

  /** A stream that closed before its response head without reporting an error (e.g. RST_STREAM CANCEL). */
  private onH2Close(stream: ClientHttp2Stream): void {
    if (stream !== this.up || this.finished || this.res.headersSent) return;
    this.onUpstreamError(stream, new NoResponse('upstream stream closed without a response'), stream.rstCode === REFUSED_STREAM);
  }

  /** Retries when the status is one of the retry codes and budget remains; true when a retry was scheduled. */
  private retryOnStatus(status: number): boolean {
    const retry = this.f.retry;
    if (retry === undefined || !retry.codes.includes(status) || !this.canRetry()) return false;
    this.scheduleRetry();
    return true;
  }

  /** The undici attempt's final head: retry on status, or send the head and let the attempt stream the body. */
  onH1Head(a: H1Attempt, status: number, message: string | undefined, headers: HeaderBag): boolean {
    if (a !== this.up || this.finished || this.retryOnStatus(status)) return false;
    this.sendHead(status, message, headers);
    return true;
  }

  onH1End(a: H1Attempt, trailers: HeaderBag): void {
    if (a !== this.up || this.finished) return;
    this.bodyEnded = true;
    for (const _ in trailers) {
      this.res.addTrailers(copyEndToEnd(trailers) as Record<string, string>);
      break;
    }
    this.done();
    this.res.end();
  }

  onH1Error(a: H1Attempt, err: Error, neverProcessed: boolean): void {
    if (a !== this.up || this.finished) return;
    if (isUnsendable(err) && !this.res.headersSent) this.reply(502);
    else this.onUpstreamError(a, err, neverProcessed);
  }

  /** Sends the upstream's response head, end-to-end headers only, after the route's response edits. */
  private sendHead(status: number, message: string | undefined, upstreamHeaders: HeaderBag): void {
    const headers = copyEndToEnd(upstreamHeaders);
    this.f.editor?.edit(headers);
    writeHead(this.res, status, message, headers);
  }

  /** `headOnly`: the upstream's head ended its stream (HTTP/2 HEADERS with END_STREAM). */
  private respond(status: number, message: string | undefined, upstreamHeaders: HeaderBag, body: IncomingMessage | ClientHttp2Stream, headOnly = false): void {
    // A head that ended the upstream stream (gRPC's trailers-only error, grpc-status in it) ends the client's.
    if (headOnly) {
      const headers = copyEndToEnd(upstreamHeaders);
      this.f.editor?.edit(headers);
      if (sendTrailersOnly(this.res, status, headers)) {
        this.done();
        body.resume();
        return;
      }
      writeHead(this.res, status, message, headers);
    } else this.sendHead(status, message, upstreamHeaders);
    body.on('error', () => this.fail());
    // Registered before pipe() so trailers are added before pipe ends the response.
    body.on('end', () => this.onBodyEnd(body));
    // An upstream that dies mid-body closes the message before it is complete.
    body.on('close', () => {
      if (!this.bodyEnded && !(body as IncomingMessage).complete) this.fail();
    });
    body.pipe(this.res);
  }

  private onBodyEnd(body: IncomingMessage | ClientHttp2Stream): void {
    this.bodyEnded = true;
    let trailers = this.h2Trailers;
    if (trailers === undefined && 'rawTrailers' in body && body.rawTrailers.length > 0) trailers = copyEndToEnd(body.trailers);
    if (trailers !== undefined) this.res.addTrailers(trailers as Record<string, string>);
    this.done();
  }

  private onUpstreamError(up: Upstream | undefined, err: Error, neverProcessed: boolean): void {
    if (up !== this.up || this.finished) return;
    if (this.res.headersSent) {
      this.fail();
      return;
    }
    if (err instanceof AttemptTimeout) {
      if (this.canRetry()) this.scheduleRetry();
      else this.reply(504);
      return;
    }
    // A failed TLS handshake (untrusted or expired certificate, wrong name): fail closed with 502, logged.
    if (this.origin?.failed(err, this.ep, this.f.backend.ir.name)) {
      if (this.canRetry()) this.scheduleRetry();
      else this.reply(502, TLS_FAILED);
      return;
    }
    // A pooled connection the upstream closed while idle, or a stream it refused: the request never reached the
    // application, so one retry is free when no retry policy is set. With a policy it counts like any attempt
    // (a server that resets on purpose must not get an extra try beyond the budget).
    if (neverProcessed && this.f.retry === undefined && !this.freeRetryUsed && !this.f.hasBody) {
      this.freeRetryUsed = true;
      this.attempts--;
      this.up = undefined;
      this.send(this.nextEndpoint());
      return;
    }
    if (this.canRetry()) this.scheduleRetry();
    else if (isProtocolError(err)) this.reply(502);
    else this.reply(503, UNAVAILABLE);
  }

  private canRetry(): boolean {
    const r = this.f.retry;
    return r !== undefined && (!this.f.hasBody || this.replay !== undefined) && this.attempts <= r.attempts;
  }

  private scheduleRetry(): void {
    clearTimeout(this.attemptTimer);
    if (this.bodySink !== undefined) {
      this.req.unpipe(this.bodySink as NodeJS.WritableStream & Parameters<ClientRequest['unpipe']>[0]);
      // undici's copy of a body the upstream did not read to the end: ending it here closes that connection.
      if (this.bodySink instanceof PassThrough && !this.bodySink.writableEnded) this.bodySink.destroy();
      this.bodySink = undefined;
      this.req.resume(); // the abandoned attempt may have paused the body; the copy must still fill up
    }
    this.up = undefined; // late events of the abandoned attempt are ignored from here on
    const backoff = this.f.retry?.backoffMs ?? 0;
    if (backoff > 0) this.attemptTimer = setTimeout(() => this.retryNow(), backoff);
    else this.retryNow();
  }

  private retryNow(): void {
    if (this.finished) return;
    if (this.replay !== undefined && !this.replayComplete) {
      this.waitingForBody = true; // the client is still uploading: retry once the copy is whole
      return;
    }
    this.send(this.nextEndpoint());
  }

  private nextEndpoint(): IREndpoint {
    return this.f.backend.nextEndpoint() ?? this.f.endpoint;
  }

  private onRequestTimeout(): void {
    if (this.finished) return;
    if (this.res.headersSent) this.fail();
    else this.reply(504);
  }

  onClientClose(): void {
    if (!this.res.writableFinished) this.fail();
    this.done();
  }

  /** Local reply; Connection: close when part of the client body may be left unread. */
  private reply(status: number, body?: string): void {
    this.done();
    this.up?.destroy();
    sendLocal(this.res, status, undefined, this.f.hasBody, body);
  }

  /** Abort both sides after a failure mid-stream. */
  private fail(): void {
    this.done();
    this.up?.destroy();
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
export function forward(f: ForwardRequest, req: ClientRequest, res: ClientResponse): void {
  new Exchange(f, req, res).start();
}
