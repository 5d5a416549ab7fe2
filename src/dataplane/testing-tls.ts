/**
 * Test helpers for HTTPS sockets of the data plane (tests only): an IR HTTPS socket with routes, and
 * HTTP/1.1 and HTTP/2 clients over TLS that say what the server did (status, echo, certificate seen,
 * whether it asked for a client certificate).
 */
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { IRCertificate, IRClientValidation, IRHttpListener, IRRoute, IRSocket } from '../ir/types.ts';
import type { Echo } from './testing.ts';

/** One listener of a test HTTPS socket: its hostname, certificates, and the routes of its "*" virtual host. */
export interface TestHttpsListener {
  readonly name: string;
  readonly hostname: string;
  readonly certs: readonly IRCertificate[];
  readonly routes: readonly IRRoute[];
}

/** An IR HTTPS socket on 127.0.0.1:port, listeners given most specific first. */
export function httpsRoutesSocket(port: number, listeners: readonly TestHttpsListener[], clientValidation?: IRClientValidation): IRSocket {
  const httpListeners: IRHttpListener[] = listeners.map((l) => ({
    name: `test/gw/${l.name}`,
    hostname: l.hostname,
    virtualHosts: [{ hostname: '*', routes: l.routes }],
    tls: { certificates: l.certs, ...(clientValidation && { clientValidation }) },
  }));
  return { key: `127.0.0.1:${port}`, address: '127.0.0.1', port, protocol: 'HTTPS', gateway: 'test/gw', httpListeners };
}

/** What one HTTPS exchange gave: an answer, or the error that ended it. */
export type TlsReply =
  | { ok: true; status: number; body: string; echo: Echo | undefined; alpn: string | false | null; fingerprint: string; certRequested: boolean }
  | { ok: false; error: string; certRequested: boolean };

/** Options of the TLS clients. */
export interface TlsClientOptions {
  readonly servername: string;
  readonly host?: string;
  readonly path?: string;
  readonly cert?: { cert: string; key: string };
  readonly headers?: Record<string, string>;
}

/** An HTTP/1.1 request over a fresh TLS connection (server certificate not verified; tests compare fingerprints). */
export function httpsGet(port: number, o: TlsClientOptions): Promise<TlsReply> {
  let certRequested = false;
  return new Promise((resolve) => {
    // ALPNProtocols reaches tls.connect; @types/node does not list it on https.RequestOptions.
    const opts: RequestOptions & { ALPNProtocols: string[] } = {
      host: '127.0.0.1', port, path: o.path ?? '/', servername: o.servername, headers: { ...o.headers, host: o.host ?? o.servername },
      rejectUnauthorized: false, agent: false, ALPNProtocols: ['http/1.1'], ...o.cert,
    };
    const req = httpsRequest(opts, (res) => {
      const sock = res.socket as TLSSocket;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', (e) => resolve({ ok: false, error: e.message, certRequested }));
      res.once('end', () => {
        const body = Buffer.concat(chunks).toString();
        const echo = res.headers['content-type'] === 'application/json' ? (JSON.parse(body) as Echo) : undefined;
        resolve({ ok: true, status: res.statusCode ?? 0, body, echo, alpn: sock.alpnProtocol, fingerprint: sock.getPeerCertificate().fingerprint256, certRequested });
      });
    });
    req.once('socket', (s) => watchCertRequest(s as TLSSocket, () => (certRequested = true)));
    req.once('error', (e) => resolve({ ok: false, error: e.message, certRequested }));
    req.end();
  });
}

/** An HTTP/2 session over TLS (ALPN h2). */
export function h2tlsConnect(port: number, servername: string, cert?: { cert: string; key: string }): ClientHttp2Session {
  const s = h2connect(`https://127.0.0.1:${port}`, { servername, rejectUnauthorized: false, ...cert });
  s.on('error', () => undefined); // failures surface on the streams
  return s;
}

/** One GET on an HTTP/2 session; `authority` is the :authority pseudo-header. */
export function h2tlsGet(session: ClientHttp2Session, authority: string, path = '/', headers: Record<string, string> = {}): Promise<TlsReply> {
  return new Promise((resolve) => {
    if (session.destroyed) return resolve({ ok: false, error: 'session destroyed', certRequested: false });
    const stream = session.request({ ':path': path, ':authority': authority, ...headers });
    let status = 0;
    let json = false;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      json = h['content-type'] === 'application/json';
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('error', (e) => resolve({ ok: false, error: e.message, certRequested: false }));
    stream.once('end', () => {
      const body = Buffer.concat(chunks).toString();
      const sock = session.socket as TLSSocket;
      resolve({
        ok: true, status, body, echo: json ? (JSON.parse(body) as Echo) : undefined,
        alpn: session.alpnProtocol ?? false, fingerprint: sock.getPeerCertificate().fingerprint256, certRequested: false,
      });
    });
    stream.end();
  });
}

/** Calls `seen` when the server sent a CertificateRequest (only then does the client compute shared signature algorithms). */
function watchCertRequest(sock: TLSSocket, seen: () => void): void {
  sock.once('secureConnect', () => {
    try {
      if (sock.getSharedSigalgs().length > 0) seen();
    } catch {
      // no handshake state: nothing was requested
    }
  });
}
