/**
 * The HTTP echo handler of echo-basic (echo-contract §2): `/health`, `/status/NNN`, the `/retry/`
 * simulator and the echo handler that answers with a JSON description of the request. One handler
 * serves HTTP/1.x and HTTP/2 (node's compatibility API gives both the same request shape).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServerResponse as H1Response } from 'node:http';
import { constants as h2constants, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { canonicalHeaderKey, goJson, hostPort, parseGoDuration, type Identity } from './go-compat.ts';
import { tlsFacts } from './tls-info.ts';

/** A request from either protocol. */
export type AnyRequest = IncomingMessage | Http2ServerRequest;
/** A response of either protocol. */
export type AnyResponse = ServerResponse | Http2ServerResponse;

/** What the handler needs to know about its pod. */
export interface HttpEchoContext {
  identity: Identity;
  /** The HTTP_PORT value echoed as `httpPort` (whatever port the request came in on). */
  httpPort: string;
  /** The pod's stdout. */
  log(line: string): void;
  /** Attempts per retry uuid (one map per pod, like the in-memory counter upstream). */
  retryCounters: Map<string, number>;
}

type HeaderList = [string, string][];

/** Writes a whole response; header names are written as given on HTTP/1 (duplicates allowed). */
export function sendResponse(res: AnyResponse, status: number, headers: HeaderList, body: string | Buffer = ''): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const all: HeaderList = [...headers, ['Content-Length', String(buf.length)]];
  try {
    if (res instanceof H1Response) {
      res.writeHead(status, all.flat());
    } else {
      const obj: Record<string, string | string[]> = {};
      for (const [k, v] of all) {
        const lk = k.toLowerCase();
        const prev = obj[lk];
        obj[lk] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
      }
      res.writeHead(status, obj);
    }
    res.end(buf);
  } catch (err) {
    // An invalid status or header from a test-controlled value: answer 500 instead of crashing.
    if (!res.headersSent) {
      (res as ServerResponse).writeHead(500);
      (res as ServerResponse).end(String((err as Error).message));
    }
  }
}

/** Go's http.Error: a text/plain body with a trailing newline. */
function httpError(res: AnyResponse, status: number, message: string): void {
  sendResponse(res, status, [['Content-Type', 'text/plain; charset=utf-8'], ['X-Content-Type-Options', 'nosniff']], message + '\n');
}

/** The TLS socket under a request, if it came over TLS. */
function tlsSocketOf(req: AnyRequest): TLSSocket | undefined {
  const sock: any = 'stream' in req && req.stream ? (req.stream as any).session?.socket : req.socket;
  return sock && sock.encrypted ? (sock as TLSSocket) : undefined;
}

function isHttp2(req: AnyRequest): boolean {
  return req.httpVersionMajor === 2;
}

/** Request headers in Go's canonical form, without the Host header (and Transfer-Encoding on HTTP/1). */
export function echoedHeaders(req: AnyRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (name.startsWith(':')) continue;
    const key = canonicalHeaderKey(name);
    if (key === 'Host' || (!isHttp2(req) && key === 'Transfer-Encoding')) continue;
    (out[key] ??= []).push(raw[i + 1]);
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

/** All values of a header, one per field line (names compared case-insensitively). */
function headerValues(req: AnyRequest, name: string): string[] {
  const want = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === want) out.push(req.rawHeaders[i + 1]);
  return out;
}

/** Applies `X-Echo-Set-Header` values to a response header list (echo-contract §2). */
export function applyEchoSetHeader(values: readonly string[], headers: HeaderList): void {
  for (const value of values) {
    for (const entry of value.split(',')) {
      const trimmed = entry.trim();
      if (trimmed === '') continue;
      const colon = trimmed.indexOf(':');
      const name = colon < 0 ? trimmed : trimmed.slice(0, colon);
      const val = colon < 0 ? '' : trimmed.slice(colon + 1);
      const existing = headers.find(([k]) => k === name);
      if (existing) existing[1] = `${existing[1]},${val.trim()}`;
      else headers.push([name, val]);
    }
  }
}

/** The JSON document the echo handler answers with. */
export function describeRequest(req: AnyRequest, ctx: HttpEchoContext): Record<string, unknown> {
  const h2 = isHttp2(req);
  const host = h2 ? ((req as Http2ServerRequest).authority || (req.headers.host as string) || '') : (req.headers.host ?? '');
  const doc: Record<string, unknown> = {
    path: req.url ?? '',
    host,
    method: req.method ?? '',
    proto: h2 ? 'HTTP/2.0' : `HTTP/${req.httpVersion}`,
    headers: echoedHeaders(req),
    namespace: ctx.identity.namespace,
    ingress: ctx.identity.ingress,
    service: ctx.identity.service,
    pod: ctx.identity.pod,
    httpPort: ctx.httpPort,
  };
  const sock = tlsSocketOf(req);
  if (sock) {
    const f = tlsFacts(sock);
    const tls: Record<string, unknown> = { version: f.version, serverName: f.serverName };
    if (f.negotiatedProtocol) tls.negotiatedProtocol = f.negotiatedProtocol;
    tls.cipherSuite = f.cipherSuite;
    if (f.peerCertificates.length) tls.peerCertificates = f.peerCertificates;
    doc.tls = tls;
  }
  return doc;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function queryOf(rawUrl: string): URLSearchParams {
  const q = rawUrl.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
}

function remoteOf(req: AnyRequest): string {
  const sock: any = 'stream' in req && req.stream ? (req.stream as any).session?.socket : req.socket;
  return hostPort(sock?.remoteAddress, sock?.remotePort);
}

/** The echo handler proper: log line, optional delay, X-Echo-Set-Header, JSON answer. */
async function echo(req: AnyRequest, res: AnyResponse, ctx: HttpEchoContext): Promise<void> {
  const raw = req.url ?? '';
  ctx.log(`Echoing back request made to ${raw} to client (${remoteOf(req)})`);
  const delay = queryOf(raw).get('delay');
  if (delay) {
    const d = parseGoDuration(delay);
    if (!d.ok) return sendResponse(res, 500, [['Content-Type', 'application/json']], goJson({ message: d.error }));
    await sleep(d.value);
  }
  const headers: HeaderList = [];
  applyEchoSetHeader(headerValues(req, 'X-Echo-Set-Header'), headers);
  const fixed: HeaderList = [['Content-Type', 'application/json'], ['X-Content-Type-Options', 'nosniff']];
  const kept = headers.filter(([k]) => !fixed.some(([f]) => f.toLowerCase() === k.toLowerCase()));
  sendResponse(res, 200, [...kept, ...fixed], goJson(describeRequest(req, ctx), ' '));
}

/** Ends the connection (HTTP/1) or the stream (HTTP/2) without any response. */
function abort(req: AnyRequest): void {
  if (isHttp2(req)) (req as Http2ServerRequest).stream.close(h2constants.NGHTTP2_INTERNAL_ERROR);
  else (req.socket as any).resetAndDestroy?.() ?? req.socket.destroy();
}

function parseInt10(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** The retry simulator: fail (reset or responseCode) until `succeedAfter` attempts for a uuid were made. */
async function retry(req: AnyRequest, res: AnyResponse, ctx: HttpEchoContext): Promise<void> {
  const q = queryOf(req.url ?? '');
  const uuid = q.get('uuid');
  if (!uuid) return httpError(res, 400, 'uuid is required');
  const succeedRaw = q.get('succeedAfter');
  if (!succeedRaw) return httpError(res, 400, 'succeedAfter is required');
  const succeedAfter = parseInt10(succeedRaw);
  if (succeedAfter === undefined) return httpError(res, 400, `strconv.Atoi: parsing ${JSON.stringify(succeedRaw)}: invalid syntax`);
  const codeRaw = q.get('responseCode');
  const responseCode = codeRaw ? parseInt10(codeRaw) : undefined;
  if (codeRaw && responseCode === undefined) return httpError(res, 400, `strconv.Atoi: parsing ${JSON.stringify(codeRaw)}: invalid syntax`);
  const delayRaw = q.get('delayRetry');
  const delay = delayRaw ? parseGoDuration(delayRaw) : { ok: true as const, value: 0 };
  if (!delay.ok) return httpError(res, 400, delay.error);
  const count = ctx.retryCounters.get(uuid) ?? 0;
  if (count >= succeedAfter) return echo(req, res, ctx);
  ctx.retryCounters.set(uuid, count + 1);
  await sleep(delay.value);
  if (responseCode !== undefined) sendResponse(res, responseCode, []);
  else abort(req);
}

/** Builds the request handler of one echo pod. Never throws; unexpected errors become a 500. */
export function createEchoHandler(ctx: HttpEchoContext): (req: AnyRequest, res: AnyResponse) => void {
  return (req, res) => {
    const raw = req.url ?? '';
    const path = raw.split('?')[0].replace(/\/{2,}/g, '/');
    let work: Promise<void> | void;
    if (path === '/health') work = sendResponse(res, 200, [['Content-Type', 'text/plain; charset=utf-8']], 'OK');
    else if (path.startsWith('/status/')) {
      const m = /^\/status\/(\d{3})$/.exec(raw);
      work = m ? sendResponse(res, Number(m[1]), []) : httpError(res, 400, 'Bad Request');
    } else if (path.startsWith('/retry/')) work = retry(req, res, ctx);
    else if (path === '/ws') work = httpError(res, 400, 'Bad Request');
    else work = echo(req, res, ctx);
    Promise.resolve(work).catch((err) => {
      if (!res.headersSent) httpError(res, 500, String((err as Error)?.message ?? err));
    });
  };
}
