/**
 * The L4 part of the data plane: the TLS, TCP and UDP sockets of an IR version. HttpDataPlane.apply
 * hands it every IR version; it binds new sockets (bind errors reported like HTTP ones), swaps each
 * socket's compiled table with one assignment (a connection uses the table current when it arrived,
 * a UDP session the backend chosen by its first datagram), and closes sockets that left the IR:
 * established connections are left to finish, and cut when the plane closes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { IR, IRSocket } from '../../ir/types.ts';
import { handleTlsConnection, type L4Log } from '../tlsroute/connection.ts';
import { compileTlsSocket, type TlsRouteTable } from '../tlsroute/table.ts';
import { UdpRelay } from '../udp/relay.ts';
import type { TlsOrigins } from '../upstream/tls.ts';
import { splice } from './splice.ts';
import { L4Target } from './target.ts';
import { describeBindError } from '../bind-error.ts';

/** IR socket protocols this plane serves. */
export const L4_SOCKET_PROTOCOLS: ReadonlySet<string> = new Set(['TLS', 'TCP', 'UDP']);

/** Options of L4Plane. */
export interface L4PlaneOptions {
  readonly log?: L4Log;
  /** Time a TLS client has to send its ClientHello and finish a terminated handshake (default 10 s). */
  readonly helloTimeoutMs?: number;
  /** UDP session idle timeout (default 60 s). */
  readonly udpIdleTimeoutMs?: number;
  /** TLS origination for backends under a BackendTLSPolicy (TCP and terminated TLS; not passthrough). */
  readonly origins?: TlsOrigins;
  /** Bind with SO_REUSEPORT, so several worker processes share each port (src/runtime/workers). */
  readonly reusePort?: boolean;
}

/** What a TCP or TLS socket serves in the current version. */
type StreamTable = { readonly protocol: 'TCP'; readonly target: L4Target | undefined } | { readonly protocol: 'TLS'; readonly table: TlsRouteTable };

interface StreamSocket {
  readonly server: Server;
  readonly conns: Set<Socket>;
  table: StreamTable;
}

/** TLS, TCP and UDP sockets. */
export class L4Plane {
  private readonly opts: L4PlaneOptions;
  private readonly streams = new Map<string, StreamSocket>();
  private readonly relays = new Map<string, UdpRelay>();
  /** Connections of removed sockets, cut on close(). */
  private readonly orphans = new Set<Socket>();

  constructor(opts: L4PlaneOptions = {}) {
    this.opts = opts;
  }

  /** Keys of the sockets bound now. */
  keys(): string[] {
    return [...this.streams.keys(), ...this.relays.keys()];
  }

  /** Brings the L4 sockets to `ir`; resolves to the bind errors ("address:port" or ".../udp" → reason). */
  async apply(ir: IR): Promise<Map<string, string>> {
    const errors = new Map<string, string>();
    const wanted = new Map<string, IRSocket>();
    for (const s of ir.sockets) if (L4_SOCKET_PROTOCOLS.has(s.protocol)) wanted.set(s.key, s);
    for (const [key, s] of this.streams) if (wanted.get(key)?.protocol === 'UDP' || !wanted.has(key)) this.removeStream(key, s);
    for (const [key, r] of this.relays) if (wanted.get(key)?.protocol !== 'UDP') this.removeRelay(key, r);
    for (const s of wanted.values()) {
      const err = s.protocol === 'UDP' ? await this.applyUdp(s) : await this.applyStream(s);
      if (err !== undefined) {
        errors.set(s.key, err);
        this.opts.log?.('error', 'cannot bind socket', { socket: s.key, gateway: s.gateway, error: err });
      }
    }
    return errors;
  }

  private async applyStream(s: IRSocket): Promise<string | undefined> {
    const existing = this.streams.get(s.key);
    const table = this.compileStream(s, existing?.table);
    if (existing) {
      existing.table = table;
      return undefined;
    }
    const bound: StreamSocket = { server: createServer({ allowHalfOpen: true }), conns: new Set(), table };
    bound.server.on('connection', (sock: Socket) => this.onConnection(s.key, bound, sock));
    const err = await listen(bound.server, s.address, s.port, this.opts.reusePort === true);
    if (err === undefined) this.streams.set(s.key, bound);
    return err;
  }

  private compileStream(s: IRSocket, previous: StreamTable | undefined): StreamTable {
    if (s.protocol === 'TLS') {
      const table = compileTlsSocket(s, previous?.protocol === 'TLS' ? previous.table : undefined);
      for (const e of table.errors) this.opts.log?.('warn', 'certificate not loaded', { socket: s.key, error: e });
      return { protocol: 'TLS', table };
    }
    const route = s.l4Listeners?.[0]?.routes[0];
    return { protocol: 'TCP', target: route && new L4Target(route) };
  }

  private onConnection(key: string, bound: StreamSocket, sock: Socket): void {
    bound.conns.add(sock);
    sock.once('close', () => {
      bound.conns.delete(sock);
      this.orphans.delete(sock);
    });
    sock.on('error', () => sock.destroy());
    sock.setNoDelay(true);
    const t = bound.table; // the one read of the current version for this connection
    if (t.protocol === 'TLS') {
      handleTlsConnection(sock, t.table, { socket: key, log: this.opts.log, helloTimeoutMs: this.opts.helloTimeoutMs, origins: this.opts.origins });
      return;
    }
    const choice = t.target?.next() ?? { refused: 'no TCPRoute attached' };
    if ('refused' in choice) {
      this.opts.log?.('debug', 'TCP connection refused', { socket: key, reason: choice.refused });
      sock.destroy();
      return;
    }
    const tls = choice.backend.tls;
    const origin = tls === undefined ? undefined : this.opts.origins?.origin(tls);
    if (tls !== undefined && origin === undefined) {
      sock.destroy(); // TLS required and not available here: never plaintext
      return;
    }
    sock.pause();
    const ep = choice.endpoint;
    splice(sock, ep, {
      origin,
      backend: choice.backend.name,
      onConnectError: (err) => this.opts.log?.('warn', 'upstream connection failed', { socket: key, endpoint: `${ep.address}:${ep.port}`, error: err.message }),
    });
  }

  private async applyUdp(s: IRSocket): Promise<string | undefined> {
    let relay = this.relays.get(s.key);
    if (relay === undefined) {
      relay = new UdpRelay(s.key, { log: this.opts.log, idleTimeoutMs: this.opts.udpIdleTimeoutMs, reusePort: this.opts.reusePort });
      const err = await relay.bind(s.address, s.port);
      if (err !== undefined) return err;
      this.relays.set(s.key, relay);
    }
    const route = s.l4Listeners?.[0]?.routes[0];
    relay.update(route && new L4Target(route));
    return undefined;
  }

  private removeStream(key: string, s: StreamSocket): void {
    this.streams.delete(key);
    s.server.close();
    for (const c of s.conns) this.orphans.add(c);
  }

  private removeRelay(key: string, r: UdpRelay): void {
    this.relays.delete(key);
    r.shutdown();
  }

  /** Closes every socket and cuts every connection. */
  async close(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [key, s] of this.streams) {
      closing.push(new Promise((resolve) => s.server.close(() => resolve())));
      this.removeStream(key, s);
    }
    for (const [key, r] of this.relays) this.removeRelay(key, r);
    for (const c of this.orphans) c.destroy();
    this.orphans.clear();
    await Promise.all(closing);
  }
}

/** Starts listening; resolves to an error string ("EADDRINUSE: ...") or undefined. */
function listen(server: Server, address: string, port: number, reusePort: boolean): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.removeListener('listening', onListening);
      resolve(describeBindError(err, address, port));
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      server.on('error', () => undefined); // later errors concern single connections
      resolve(undefined);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address, port, exclusive: true, reusePort });
  });
}
