/**
 * The bound sockets, one per IR socket key. Each is a plain net.Server whose connections are sniffed once:
 * a connection that opens with the HTTP/2 connection preface ("PRI * HTTP/2.0...", h2c with prior knowledge,
 * as gRPC clients send it) goes to an http2 server, anything else to an HTTP/1.1 server. Neither of those
 * two listens itself; both feed the same request handler, so one router and one set of filters serve both.
 * The sniff costs one look at the first bytes per connection, nothing per request.
 *
 * An HTTPS socket is a tls.Server instead (tls-front.ts): after the handshake the ALPN protocol picks the
 * same two servers, so HTTPS and HTTP sockets share everything past TLS.
 *
 * Binding collects errors per socket instead of throwing; removal stops listening at once and lets
 * in-flight requests finish before connections are dropped.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createH2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TlsHolder } from '../tls/holder.ts';
import type { ClientRequest, ClientResponse } from './client.ts';
import { createTlsFront } from './tls-front.ts';
import { describeBindError } from '../bind-error.ts';
import type { H1Engine, H1Front } from '../h1/engine.ts';

/** Called for every request with the socket key it arrived on. */
export type SocketRequestHandler = (key: string, req: ClientRequest, res: ClientResponse) => void;

/** Called for Upgrade requests (WebSocket) with the raw client socket and any bytes read past the head. */
export type SocketUpgradeHandler = (key: string, req: IncomingMessage, sock: Duplex, head: Buffer) => void;

/** Tunables for client-side connections. */
export interface ListenerOptions {
  /** Idle keep-alive time for client connections (HTTP/1.1 keep-alive, idle HTTP/2 sessions). */
  readonly keepAliveTimeoutMs?: number;
  /** How long a removed socket's busy connections may drain before they are cut. */
  readonly drainTimeoutMs?: number;
  /** Refused TLS handshakes and client certificates (debug logging). */
  readonly onTlsRefused?: (key: string, reason: string) => void;
  /** Bind with SO_REUSEPORT, so several worker processes share each port (src/runtime/workers). */
  readonly reusePort?: boolean;
  /** The HTTP/1.1 fast path (src/dataplane/h1): HTTP/1.1 connections, plaintext or TLS, go to it before node:http. */
  readonly h1?: H1Engine;
}

/** The HTTP/2 client connection preface (RFC 9113 §3.4). */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

interface Bound {
  readonly key: string;
  /** A plain net.Server, or the tls.Server of an HTTPS socket. */
  readonly net: NetServer;
  readonly tls: boolean;
  readonly http: HttpServer;
  readonly h2: Http2Server;
  readonly sessions: Set<ServerHttp2Session>;
  /** The fast path of the socket. */
  readonly front?: H1Front;
}

/**
 * Gives a connection to the HTTP/1.1 server with `data` (bytes already read from it) pushed back. The parser
 * reads them through 'data' events, so the socket has to flow again.
 */
function handToHttp(http: HttpServer, sock: Socket, data: Buffer | undefined): void {
  sock.pause();
  if (data !== undefined) sock.unshift(data);
  http.emit('connection', sock);
  sock.resume();
}

/**
 * Reads just enough of a new connection to tell HTTP/2 prior knowledge from HTTP/1.x, then hands the socket,
 * bytes pushed back, to the matching server: HTTP/1.x to the fast path when there is one, else node:http.
 */
class Sniffer {
  private readonly sock: Socket;
  private readonly b: Pick<Bound, 'http' | 'h2' | 'front'>;
  private seen: Buffer | undefined;
  private readonly onData = (chunk: Buffer): void => this.inspect(chunk);
  private readonly onTimeout = (): void => {
    this.sock.destroy();
  };

  constructor(sock: Socket, b: Pick<Bound, 'http' | 'h2' | 'front'>, timeoutMs: number) {
    this.sock = sock;
    this.b = b;
    sock.on('data', this.onData);
    // A connection that never says anything must not be held forever.
    sock.setTimeout(timeoutMs, this.onTimeout);
  }

  private inspect(chunk: Buffer): void {
    const data = this.seen === undefined ? chunk : Buffer.concat([this.seen, chunk]);
    const n = Math.min(data.length, PREFACE.length);
    const h2 = data.compare(PREFACE, 0, n, 0, n) === 0;
    if (h2 && n < PREFACE.length) {
      this.seen = data; // a strict prefix of the preface so far: wait for more
      return;
    }
    const sock = this.sock;
    sock.removeListener('data', this.onData);
    sock.setTimeout(0, this.onTimeout); // also removes the listener: whoever serves the socket sets its own
    if (h2) {
      // The http2 session reads bytes already buffered on the socket itself (on the next tick).
      sock.pause();
      sock.unshift(data);
      this.b.h2.emit('connection', sock);
    } else if (this.b.front !== undefined) this.b.front.accept(sock, data);
    else handToHttp(this.b.http, sock, data);
  }
}

/** The set of listening sockets. */
export class ListenerSet {
  private readonly bound = new Map<string, Bound>();
  private readonly draining = new Set<Promise<void>>();
  private readonly handler: SocketRequestHandler;
  private readonly upgrade: SocketUpgradeHandler;
  private readonly opts: ListenerOptions;

  constructor(handler: SocketRequestHandler, upgrade: SocketUpgradeHandler, opts: ListenerOptions = {}) {
    this.handler = handler;
    this.upgrade = upgrade;
    this.opts = opts;
  }

  /** Whether a socket key is currently bound. */
  has(key: string): boolean {
    return this.bound.has(key);
  }

  /** Keys currently bound. */
  keys(): string[] {
    return [...this.bound.keys()];
  }

  /** Whether a bound socket terminates TLS (an HTTPS socket). */
  isTls(key: string): boolean {
    return this.bound.get(key)?.tls === true;
  }

  private servers(key: string, holder: TlsHolder | undefined): Bound {
    const idleMs = this.opts.keepAliveTimeoutMs ?? 30_000;
    const http = createHttpServer({ keepAlive: true, joinDuplicateHeaders: true, keepAliveTimeout: idleMs });
    http.on('request', (req, res) => this.handler(key, req, res));
    http.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => this.upgrade(key, req, sock, head));
    // A malformed request must cost us one connection, never the process.
    http.on('clientError', (_err, sock) => {
      if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else sock.destroy();
    });
    const h2 = createH2Server();
    const sessions = new Set<ServerHttp2Session>();
    h2.on('request', (req, res) => this.handler(key, req, res));
    h2.on('session', (s: ServerHttp2Session) => {
      sessions.add(s);
      s.once('close', () => sessions.delete(s));
      s.setTimeout(idleMs, () => s.close());
    });
    h2.on('sessionError', () => undefined); // one broken session, not the listener
    // HTTP/1.1 goes to the fast path first, on plaintext and on the decrypted side of TLS alike.
    const front = this.opts.h1?.front(key, (sock, rest) => handToHttp(http, sock, rest));
    if (holder !== undefined) {
      const net = createTlsFront(holder, {
        http1: (sock) => (front !== undefined ? front.accept(sock) : http.emit('connection', sock)),
        h2: (sock) => h2.emit('connection', sock),
        sniff: (sock) => new Sniffer(sock, { http, h2, front }, idleMs),
      }, { onRefused: (reason) => this.opts.onTlsRefused?.(key, reason) });
      return { key, net, tls: true, http, h2, sessions, front };
    }
    const net = createNetServer({ pauseOnConnect: false });
    const b: Bound = { key, net, tls: false, http, h2, sessions, front };
    net.on('connection', (sock: Socket) => {
      sock.on('error', () => sock.destroy());
      new Sniffer(sock, b, idleMs);
    });
    return b;
  }

  /**
   * Binds a new socket, an HTTPS one when `tls` is given (its holder supplies certificates and client
   * validation, and stays swappable); resolves to an error string ("EADDRINUSE: ...") or undefined.
   */
  bind(key: string, address: string, port: number, tls?: TlsHolder): Promise<string | undefined> {
    const b = this.servers(key, tls);
    return new Promise((resolve) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        b.net.removeListener('listening', onListening);
        resolve(describeBindError(err, address, port));
      };
      const onListening = (): void => {
        b.net.removeListener('error', onError);
        b.net.on('error', () => undefined); // errors after bind concern single connections
        // The HTTP/1.1 server never listens itself; 'listening' starts its connection tracking and the
        // header/request timeout checks, which closeIdleConnections() and slow-client protection rely on.
        b.http.emit('listening');
        this.bound.set(key, b);
        resolve(undefined);
      };
      b.net.once('error', onError);
      b.net.once('listening', onListening);
      b.net.listen({ host: address, port, exclusive: true, reusePort: this.opts.reusePort === true });
    });
  }

  /** Stops listening on a socket; busy connections finish (up to the drain timeout), idle ones close now. */
  remove(key: string): void {
    const b = this.bound.get(key);
    if (!b) return;
    this.bound.delete(key);
    const drained = new Promise<void>((resolve) => {
      const timer = setTimeout(() => cut(b), this.opts.drainTimeoutMs ?? 30_000);
      timer.unref();
      b.net.close(() => {
        clearTimeout(timer);
        resolve();
      });
      b.http.close(() => undefined); // stops its timers and closes idle keep-alive connections
      b.front?.drain(); // the fast path's connections likewise
      for (const s of b.sessions) s.close(); // GOAWAY: streams in flight finish, no new ones start
    });
    this.draining.add(drained);
    void drained.then(() => this.draining.delete(drained));
  }

  /** Closes every socket: stop listening, close idle connections, cut busy ones after `graceMs`. */
  async closeAll(graceMs: number): Promise<void> {
    const all = [...this.bound.values()];
    for (const key of [...this.bound.keys()]) this.remove(key);
    const timer = setTimeout(() => all.forEach(cut), graceMs);
    await Promise.all([...this.draining]);
    clearTimeout(timer);
  }
}

/** Drops every remaining connection of a socket. */
function cut(b: Bound): void {
  b.http.closeAllConnections();
  b.front?.cut();
  for (const s of b.sessions) s.destroy();
}
