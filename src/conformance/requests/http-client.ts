/**
 * The round tripper (helpers §2 "Transport"): one request over HTTP/1.1 (cleartext or TLS) or
 * HTTP/2 (h2c prior knowledge or TLS), a fresh connection every time, redirects followed unless
 * asked not to, and the echo JSON captured.
 */
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { goCheckServerIdentity } from './go-verify.ts';
import { isIP } from 'node:net';
import type { RoundTripRequest } from './http-request.ts';
import { sniName, socketHost } from './util.ts';

/** The echo JSON (echo-contract §2) as the suite reads it. */
export interface CapturedRequest {
  path?: string;
  host?: string;
  method?: string;
  proto?: string;
  headers?: Record<string, string[]>;
  httpPort?: string;
  namespace?: string;
  pod?: string;
  tls?: { version?: string; serverName?: string; negotiatedProtocol?: string; cipherSuite?: string; peerCertificates?: string[] };
}

/** Location of a redirect response, split like Go's url.URL. */
export interface RedirectTarget {
  scheme: string;
  host: string;
  port: string;
  path: string;
}

/** What came back. Header names are lower case; values kept distinct. */
export interface CapturedResponse {
  statusCode: number;
  protocol: string;
  headers: Record<string, string[]>;
  redirect?: RedirectTarget;
  /** TLS only: whether the server sent a CertificateRequest. */
  clientCertRequested: boolean;
  body: string;
}

/** One completed round trip. */
export interface RoundTripResult {
  request: CapturedRequest;
  response: CapturedResponse;
  /** The request actually sent last (differs from the input after redirects). */
  finalUrl: string;
}

const REDIRECT_CODES = new Set([300, 301, 302, 303, 304, 305, 307, 308]);
const FOLLOWED_CODES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;
const MAX_BODY = 4 << 20;

interface Single {
  statusCode: number;
  protocol: string;
  headers: Record<string, string[]>;
  body: string;
  clientCertRequested: boolean;
}

/**
 * `CaptureRoundTrip`: sends `req`, follows redirects (only to loopback targets: the harness never
 * talks to other hosts), and captures the final response. Rejects on network/TLS errors and on the
 * timeout, which bounds the whole exchange.
 */
export async function captureRoundTrip(req: RoundTripRequest, timeoutMs: number, signal?: AbortSignal): Promise<RoundTripResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`request timed out after ${timeoutMs} ms`)), timeoutMs);
  const onOuter = (): void => ac.abort(signal?.reason);
  signal?.addEventListener('abort', onOuter, { once: true });
  try {
    let cur = req;
    let requested = false;
    for (let hop = 0; ; hop++) {
      const res = await sendOnce(cur, ac.signal);
      requested ||= res.clientCertRequested;
      const location = res.headers['location']?.[0];
      const redirect = REDIRECT_CODES.has(res.statusCode) && location !== undefined ? splitLocation(location, cur.url) : undefined;
      if (cur.unfollowRedirect || !FOLLOWED_CODES.has(res.statusCode) || location === undefined) {
        return { request: parseEcho(res, cur.method), response: { ...res, redirect, clientCertRequested: requested }, finalUrl: cur.url };
      }
      if (hop >= MAX_REDIRECTS) throw new Error(`stopped after ${MAX_REDIRECTS} redirects`);
      cur = nextHop(cur, res.statusCode, location);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onOuter);
  }
}

function parseEcho(res: Single, method: string): CapturedRequest {
  if (res.headers['content-type']?.[0] !== 'application/json') return { method };
  try {
    const v = JSON.parse(res.body);
    return v && typeof v === 'object' ? (v as CapturedRequest) : { method };
  } catch (e) {
    throw new Error(`status ${res.statusCode} with Content-Type application/json but the body is not JSON: ${(e as Error).message}`);
  }
}

function splitLocation(location: string, base: string): RedirectTarget | undefined {
  let u: URL;
  try {
    u = new URL(location, base);
  } catch {
    return undefined;
  }
  let path = u.pathname;
  try {
    path = decodeURIComponent(path); // Go's URL.Path is the decoded form
  } catch {
    /* keep the escaped form */
  }
  return { scheme: u.protocol.replace(/:$/, ''), host: socketHost(u.hostname), port: rawPort(location) ?? u.port, path };
}

/** The port exactly as written in an absolute Location (WHATWG URL drops default ports; Go keeps them). */
function rawPort(location: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(location);
  if (!m) return undefined;
  const hostport = m[1]!.slice(m[1]!.lastIndexOf('@') + 1);
  const close = hostport.lastIndexOf(']');
  const colon = hostport.lastIndexOf(':');
  return colon > close ? hostport.slice(colon + 1) : '';
}

/** The request Go's client would send for a redirect (method/body rules of net/http). */
function nextHop(cur: RoundTripRequest, status: number, location: string): RoundTripRequest {
  const prev = new URL(cur.url);
  const next = new URL(location, prev);
  const relative = !/^[a-z][a-z0-9+.-]*:/i.test(location);
  const target = socketHost(next.hostname);
  if (next.host !== prev.host && !isLoopback(target)) {
    throw new Error(`redirect to ${next.href} not followed: the harness only talks to loopback addresses`);
  }
  const keepMethod = status === 307 || status === 308 || cur.method === 'HEAD';
  const scheme = next.protocol.replace(/:$/, '');
  const protocol = scheme === 'https' ? (cur.protocol === 'H2' ? 'H2' : 'HTTPS') : cur.protocol === 'H2C_PRIOR_KNOWLEDGE' ? cur.protocol : 'HTTP';
  return {
    ...cur,
    url: next.href,
    protocol,
    method: keepMethod ? cur.method : 'GET',
    body: keepMethod ? cur.body : undefined,
    host: relative ? cur.host : next.host,
  };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function sendOnce(req: RoundTripRequest, signal: AbortSignal): Promise<Single> {
  if (req.protocol === 'H2' || req.protocol === 'H2C_PRIOR_KNOWLEDGE') return sendHttp2(req, signal);
  return sendHttp1(req, signal);
}

function tlsOptions(req: RoundTripRequest): Record<string, unknown> {
  if (!req.caPem) throw new Error('TLS request without a trusted certificate');
  if (!req.serverName) throw new Error('TLS request without a server name');
  const opts: Record<string, unknown> = {
    ca: req.caPem,
    servername: sniName(req.serverName),
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    // Verify against the configured name, not the dialled IP.
    checkServerIdentity: (_host: string, cert: any) => goCheckServerIdentity(req.serverName!, cert),
  };
  if (req.clientCertPem && req.clientKeyPem) {
    opts.cert = req.clientCertPem;
    opts.key = req.clientKeyPem;
  }
  return opts;
}

function collectBody(stream: NodeJS.ReadableStream, done: (body: string) => void, fail: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_BODY) chunks.push(c);
  });
  stream.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  stream.on('error', fail);
}

function sendHttp1(req: RoundTripRequest, signal: AbortSignal): Promise<Single> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const isTls = url.protocol === 'https:';
    let requested = false;
    const opts: http.RequestOptions & Record<string, unknown> = {
      method: req.method,
      host: socketHost(url.hostname),
      port: url.port || (isTls ? 443 : 80),
      path: url.pathname + url.search,
      headers: { ...req.headers, Host: req.host },
      agent: false, // a fresh connection per request; keep-alive disabled like the Go transport
      signal,
      ...(isTls ? tlsOptions(req) : {}),
    };
    const cr = (isTls ? https : http).request(opts, (res) => {
      collectBody(
        res,
        (body) =>
          resolve({
            statusCode: res.statusCode ?? 0,
            protocol: `HTTP/${res.httpVersion}`,
            headers: lowerDistinct(res.headersDistinct),
            body,
            clientCertRequested: requested,
          }),
        reject,
      );
    });
    if (isTls) {
      cr.on('socket', (s) =>
        s.once('secureConnect', () => {
          requested = certRequested(s as TLSSocket);
          req.onHandshake?.(requested);
        }),
      );
    }
    cr.on('error', reject);
    cr.end(req.body);
  });
}

function sendHttp2(req: RoundTripRequest, signal: AbortSignal): Promise<Single> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const isTls = url.protocol === 'https:';
    if (req.protocol === 'H2C_PRIOR_KNOWLEDGE' && (isTls || (req.serverName && req.caPem))) {
      return reject(new Error('H2C_PRIOR_KNOWLEDGE cannot be combined with TLS'));
    }
    if (req.protocol === 'H2' && !isTls) return reject(new Error('H2 requires an https URL'));
    const authority = `${url.protocol}//${url.host}`;
    const session = http2.connect(authority, isTls ? { ...tlsOptions(req), ALPNProtocols: ['h2'] } : {});
    let requested = false;
    const fail = (e: Error): void => {
      session.destroy();
      reject(e);
    };
    session.on('error', fail);
    if (isTls) {
      // 'connect' fires once the TLS handshake has completed.
      session.once('connect', (_s, socket) => {
        requested = certRequested(socket as TLSSocket);
        req.onHandshake?.(requested);
      });
    }
    const onAbort = (): void => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const headers: http2.OutgoingHttpHeaders = {
      ':method': req.method,
      ':path': url.pathname + url.search,
      ':scheme': url.protocol.replace(/:$/, ''),
      ':authority': req.host,
    };
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
    const stream = session.request(headers, { endStream: !req.body });
    stream.on('error', fail);
    stream.on('response', (h, _flags, raw?: string[]) => {
      const status = Number(h[':status'] ?? 0);
      collectBody(
        stream,
        (body) => {
          signal.removeEventListener('abort', onAbort);
          session.close();
          resolve({ statusCode: status, protocol: 'HTTP/2.0', headers: http2Headers(h, raw), body, clientCertRequested: requested });
        },
        fail,
      );
    });
    if (req.body) stream.end(req.body);
  });
}

/** True when the server sent a CertificateRequest (the client only computes shared sigalgs then). */
function certRequested(s: TLSSocket): boolean {
  try {
    return s.getSharedSigalgs().length > 0;
  } catch {
    return false;
  }
}

function lowerDistinct(h: Record<string, string[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v) out[k.toLowerCase()] = v;
  return out;
}

function http2Headers(h: http2.IncomingHttpHeaders, raw: string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const k = raw[i]!.toLowerCase();
      if (!k.startsWith(':')) (out[k] ??= []).push(raw[i + 1]!);
    }
    return out;
  }
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(':') || v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v : [String(v)];
  }
  return out;
}
