/**
 * gRPC mode of echo-basic (echo-contract §3): the GrpcEcho service on plaintext HTTP/2 (HTTP_PORT)
 * and, with a certificate, on TLS (HTTPS_PORT).
 *
 * Served directly on node:http2 rather than through @grpc/grpc-js's server, because the answer must
 * contain what grpc-js does not expose: the `:authority` pseudo-header among the echoed metadata and
 * the TLS version, SNI and cipher of the connection. Unary gRPC over HTTP/2 is small: one
 * length-prefixed message in, headers + one message + `grpc-status` trailers out.
 */
import * as http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { GRPC_ECHO_SERVICE, encodeEchoResponse, type EchoHeader } from './grpc-proto.ts';
import type { Identity } from './go-compat.ts';
import { tlsFacts } from './tls-info.ts';
import { closeServer, listen } from './listen.ts';
import type { ServerTls } from './http-server.ts';

/** gRPC status codes used here. */
export const GrpcCode = { OK: 0, UNIMPLEMENTED: 12, INTERNAL: 13 } as const;

/** Metadata grpc-go keeps out of the incoming metadata it hands to handlers. */
const RESERVED = new Set(['te', 'grpc-timeout', 'grpc-encoding', 'grpc-message', 'grpc-status', 'grpc-message-type']);

export interface GrpcEchoOptions {
  ip: string;
  port: number;
  tlsPort: number;
  tls?: ServerTls;
  identity: Identity;
  log(line: string): void;
}

export interface GrpcEchoServers {
  ports: { grpc: number; grpcTls?: number };
  close(): Promise<void>;
}

/** The metadata the echo reports: one entry per value, lower-case keys, `:authority` included. */
function echoedMetadata(raw: string[]): EchoHeader[] {
  const out: EchoHeader[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i].toLowerCase();
    if ((key.startsWith(':') && key !== ':authority') || RESERVED.has(key)) continue;
    out.push({ key, value: raw[i + 1] });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function frame(msg: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

/** gRPC's percent-encoding of grpc-message: bytes outside printable ASCII, and '%', become %XX. */
function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');
}

/** A trailers-only answer carrying a non-OK status. */
function fail(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': percentEncode(message) }, { endStream: true });
}

function rawHeadersOf(headers: http2.IncomingHttpHeaders, raw?: string[]): string[] {
  if (raw && raw.length) return raw;
  return Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : v === undefined ? [] : [k, String(v)]));
}

/** Handles one HTTP/2 stream as a unary GrpcEcho call. */
function serveStream(opts: GrpcEchoOptions, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, raw?: string[]): void {
  stream.on('error', () => {});
  if (headers[':method'] !== 'POST') {
    stream.respond({ ':status': 405 }, { endStream: true });
    return;
  }
  if (!String(headers['content-type'] ?? '').startsWith('application/grpc')) {
    stream.respond({ ':status': 415, 'content-type': 'text/plain' });
    stream.end('invalid gRPC request content-type');
    return;
  }
  const path = String(headers[':path'] ?? '');
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  stream.resume(); // the request message (EchoRequest) is empty: nothing in it is read
  stream.on('end', () => {
    if (!m || m[1] !== GRPC_ECHO_SERVICE) return fail(stream, GrpcCode.UNIMPLEMENTED, `unknown service ${m?.[1] ?? path}`);
    if (m[2] === 'EchoThree') return fail(stream, GrpcCode.UNIMPLEMENTED, 'method EchoThree not implemented');
    if (m[2] !== 'Echo' && m[2] !== 'EchoTwo') return fail(stream, GrpcCode.UNIMPLEMENTED, `unknown method ${m[2]} for service ${m[1]}`);
    const sock = stream.session?.socket as TLSSocket | undefined;
    const f = sock && (sock as any).encrypted ? tlsFacts(sock) : undefined;
    const body = encodeEchoResponse({
      assertions: {
        fullyQualifiedMethod: `/${GRPC_ECHO_SERVICE}/${m[2]}`,
        headers: echoedMetadata(rawHeadersOf(headers, raw)),
        authority: String(headers[':authority'] ?? headers.host ?? ''),
        context: { namespace: opts.identity.namespace, ingress: opts.identity.ingress, serviceName: opts.identity.service, pod: opts.identity.pod },
        ...(f ? { tlsAssertions: { version: f.version, negotiatedProtocol: f.negotiatedProtocol, serverName: f.serverName, cipherSuite: f.cipherSuite, peerCertificates: f.peerCertificates } } : {}),
      },
    });
    if (stream.destroyed) return;
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcCode.OK), 'grpc-message': '' }));
    stream.end(frame(body));
  });
}

/** Starts the gRPC echo servers. */
export async function startGrpcEcho(opts: GrpcEchoOptions): Promise<GrpcEchoServers> {
  const onStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, raw?: string[]) => serveStream(opts, stream, headers, raw);
  const plain = http2.createServer();
  plain.on('stream', onStream);
  plain.on('sessionError', () => {});
  const servers: import('node:net').Server[] = [plain];
  try {
    const grpc = await listen(plain, opts.ip, opts.port);
    let grpcTls: number | undefined;
    if (opts.tls) {
      const secure = http2.createSecureServer({ cert: opts.tls.cert, key: opts.tls.key, ALPNProtocols: ['h2'] });
      secure.on('stream', onStream);
      secure.on('sessionError', () => {});
      servers.push(secure);
      grpcTls = await listen(secure, opts.ip, opts.tlsPort);
    }
    return { ports: { grpc, ...(grpcTls !== undefined ? { grpcTls } : {}) }, close: () => closeServer(...servers) };
  } catch (err) {
    await closeServer(...servers);
    throw err;
  }
}
