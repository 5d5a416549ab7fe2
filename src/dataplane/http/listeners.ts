/**
 * The bound HTTP/1.1 servers, one per IR socket key. Binding collects errors per socket instead of throwing;
 * removal stops listening at once and lets in-flight requests finish before connections are dropped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Called for every request with the socket key it arrived on. */
export type SocketRequestHandler = (key: string, req: IncomingMessage, res: ServerResponse) => void;

/** Called for Upgrade requests (WebSocket) with the raw client socket and any bytes read past the head. */
export type SocketUpgradeHandler = (key: string, req: IncomingMessage, sock: Duplex, head: Buffer) => void;

/** Tunables for client-side connections. */
export interface ListenerOptions {
  /** Idle keep-alive time for client connections. */
  readonly keepAliveTimeoutMs?: number;
  /** How long a removed socket's busy connections may drain before they are cut. */
  readonly drainTimeoutMs?: number;
}

interface Bound {
  readonly key: string;
  readonly server: Server;
}

/** The set of listening servers. */
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

  /** Binds a new socket; resolves to an error string ("EADDRINUSE: ...") or undefined on success. */
  bind(key: string, address: string, port: number): Promise<string | undefined> {
    const server = createServer({ keepAlive: true, joinDuplicateHeaders: true, keepAliveTimeout: this.opts.keepAliveTimeoutMs ?? 30_000 });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handler(key, req, res));
    server.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) => this.upgrade(key, req, sock, head));
    // A malformed request must cost us one connection, never the process.
    server.on('clientError', (_err, sock) => {
      if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else sock.destroy();
    });
    return new Promise((resolve) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        server.removeListener('listening', onListening);
        resolve(`${err.code ?? 'ERROR'}: ${err.message}`);
      };
      const onListening = (): void => {
        server.removeListener('error', onError);
        server.on('error', () => undefined); // errors after bind concern single connections
        this.bound.set(key, { key, server });
        resolve(undefined);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: address, port, exclusive: true });
    });
  }

  /** Stops listening on a socket; busy connections finish (up to the drain timeout), idle ones close now. */
  remove(key: string): void {
    const b = this.bound.get(key);
    if (!b) return;
    this.bound.delete(key);
    const drained = new Promise<void>((resolve) => {
      const timer = setTimeout(() => b.server.closeAllConnections(), this.opts.drainTimeoutMs ?? 30_000);
      timer.unref();
      b.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      b.server.closeIdleConnections();
    });
    this.draining.add(drained);
    void drained.then(() => this.draining.delete(drained));
  }

  /** Closes every socket: stop listening, close idle connections, cut busy ones after `graceMs`. */
  async closeAll(graceMs: number): Promise<void> {
    const servers = [...this.bound.values()].map((b) => b.server);
    for (const key of [...this.bound.keys()]) this.remove(key);
    const cut = setTimeout(() => {
      for (const s of servers) s.closeAllConnections();
    }, graceMs);
    await Promise.all([...this.draining]);
    clearTimeout(cut);
  }
}
