/**
 * The Node HTTP data plane: compiles each IR version once, binds its sockets, and swaps the compiled
 * tables in with a single reference assignment. Requests read that reference once, on arrival.
 * Clients speak HTTP/1.1 or HTTP/2 cleartext with prior knowledge on the same socket, or either over TLS
 * on HTTPS sockets (ALPN; SNI-chosen certificates; 421 for misdirected requests); upstreams speak
 * HTTP/1.1 (undici pools, upstream/pool.ts) or h2c (pooled sessions), per backend.
 */
import type { Agent, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { EMPTY_IR, type IR } from '../ir/types.ts';
import { CompileCache, compileIR } from './compile/compile.ts';
import type { CompiledConfig } from './compile/types.ts';
import type { ClientRequest, ClientResponse } from './http/client.ts';
import { handleRequest, type HandlerContext } from './http/handler.ts';
import { HttpsHolders, misdirectedRequest } from './http/https.ts';
import { ListenerSet } from './http/listeners.ts';
import { H1Engine } from './h1/engine.ts';
import { sendLocal } from './http/respond.ts';
import { L4Plane } from './tcp/plane.ts'; // L4: TLS/TCP/UDP sockets
import type { ApplyResult, DataPlane } from './types.ts';
import { H2Pool } from './upstream/h2pool.ts';
import { createUpstreamAgent, UpstreamPools } from './upstream/pool.ts';
import { TlsOrigins } from './upstream/tls.ts';
import { proxyUpgrade } from './upstream/upgrade.ts';

export { CompileError } from './compile/compile.ts';

/** Log levels the data plane emits. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Constructor options of HttpDataPlane. */
export interface HttpDataPlaneOptions {
  readonly log?: (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;
  /** Idle keep-alive timeout of client connections (default 30 s). */
  readonly keepAliveTimeoutMs?: number;
  /** How long removed sockets and close() let busy connections finish (default 30 s for removal, 5 s for close). */
  readonly drainTimeoutMs?: number;
  /**
   * Bind every listener with SO_REUSEPORT (Linux, FreeBSD), so that the N worker processes of
   * `gatehouse run --workers N` each bind the same ports and the kernel spreads connections across them.
   */
  readonly reusePort?: boolean;
  /** Serve plaintext HTTP/1.1 through the raw-socket fast path (src/dataplane/h1; default true unless GATEHOUSE_FASTPATH=0). */
  readonly fastPath?: boolean;
}

/** Protocols this data plane serves; other sockets (TLS, TCP, UDP) belong to the L4 plane. */
const SERVED = new Set(['HTTP', 'HTTPS']);

/** The HTTP (HTTP/1.1 + h2c) data plane. */
export class HttpDataPlane implements DataPlane {
  private current: CompiledConfig = compileIR(EMPTY_IR);
  /** Routes compiled for earlier IR versions, reused when the translator hands the same IR route again. */
  private readonly compiled = new CompileCache();
  /** HTTP/1.1 upstreams: undici pools for forwarding, a node:http Agent for mirrors and Expect requests. */
  private readonly pools = new UpstreamPools();
  private readonly agent: Agent = createUpstreamAgent();
  private readonly h2 = new H2Pool();
  /** TLS origination to BackendTLSPolicy backends (upstream/tls.ts), for HTTP and L4 alike. */
  private readonly origins: TlsOrigins;
  /** L4: the TLS (SNI-routed), TCP and UDP sockets, served by src/dataplane/{tcp,udp,tlsroute}. */
  private readonly l4: L4Plane;
  private readonly listeners: ListenerSet;
  /** The plaintext HTTP/1.1 fast path, when enabled. */
  private readonly fast: H1Engine | undefined;
  /** Certificates and client validation of the HTTPS sockets, swapped on every apply. */
  private readonly tls: HttpsHolders;
  private readonly log: HttpDataPlaneOptions['log'];
  private readonly ctx: HandlerContext;
  private readonly closeGraceMs: number;
  /** apply() calls run one after another: binding and swapping must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(opts: HttpDataPlaneOptions = {}) {
    this.log = opts.log;
    this.origins = new TlsOrigins(opts.log);
    this.l4 = new L4Plane({ log: opts.log, origins: this.origins, reusePort: opts.reusePort }); // L4
    this.ctx = { pools: this.pools, agent: this.agent, h2: this.h2, tls: this.origins, log: opts.log };
    this.closeGraceMs = opts.drainTimeoutMs ?? 5_000;
    this.tls = new HttpsHolders(opts.log);
    // GATEHOUSE_FASTPATH=0 turns the fast path off without a rebuild (A/B measurements, a safety switch).
    const fast = opts.fastPath ?? process.env.GATEHOUSE_FASTPATH !== '0';
    this.fast = !fast ? undefined : new H1Engine({ lookup: (key) => this.current.sockets.get(key), keepAliveTimeoutMs: opts.keepAliveTimeoutMs ?? 30_000 });
    this.listeners = new ListenerSet((key, req, res) => this.onRequest(key, req, res), (key, req, sock, head) => this.onUpgrade(key, req, sock, head), {
      keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
      drainTimeoutMs: opts.drainTimeoutMs,
      reusePort: opts.reusePort,
      h1: this.fast,
      onTlsRefused: (socket, reason) => this.log?.('debug', 'TLS connection refused', { socket, reason }),
    });
  }

  /** The plaintext HTTP/1.1 fast path, undefined when disabled (its counters: tests, metrics). */
  get fastPath(): H1Engine | undefined {
    return this.fast;
  }

  /** The IR version now serving. */
  get version(): number {
    return this.current.version;
  }

  private onRequest(key: string, req: ClientRequest, res: ClientResponse): void {
    const socket = this.current.sockets.get(key); // the one read of the current version for this request
    if (socket === undefined) {
      // The socket is being removed; this request came on a connection still draining.
      sendLocal(res, 503, undefined, true);
      return;
    }
    if (socket.protocol === 'HTTPS' && misdirectedRequest(req, socket)) {
      sendLocal(res, 421);
      return;
    }
    handleRequest(this.ctx, socket, req, res);
  }

  private onUpgrade(key: string, req: IncomingMessage, sock: Duplex, head: Buffer): void {
    const socket = this.current.sockets.get(key);
    if (socket === undefined) sock.destroy();
    else if (socket.protocol === 'HTTPS' && misdirectedRequest(req, socket)) {
      sock.end('HTTP/1.1 421 Misdirected Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    } else proxyUpgrade(socket, req, sock, head, this.origins);
  }

  /** Compiles, binds, swaps, then unbinds sockets no longer present. Rejects only when the IR cannot compile. */
  apply(ir: IR): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(ir));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(ir: IR): Promise<ApplyResult> {
    if (this.closed) throw new Error('data plane is closed');
    const bindErrors = new Map<string, string>();
    if (ir.version < this.current.version) {
      this.log?.('warn', 'ignoring IR older than the one serving', { given: ir.version, serving: this.current.version });
      return { version: this.current.version, bindErrors };
    }
    const next = compileIR(ir, this.compiled); // throws CompileError: the old version keeps serving
    for (const s of ir.sockets) {
      if (!SERVED.has(s.protocol)) continue;
      const tls = s.protocol === 'HTTPS' ? this.tls.prepare(s) : undefined; // swaps certificates of a bound socket
      if (this.listeners.has(s.key)) {
        if (this.listeners.isTls(s.key) === (tls !== undefined)) continue;
        this.listeners.remove(s.key); // HTTP became HTTPS or back: a different server on the same port
        if (tls === undefined) this.tls.drop(s.key);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const err = await this.listeners.bind(s.key, s.address, s.port, tls);
      if (err !== undefined) {
        if (tls !== undefined) this.tls.drop(s.key);
        bindErrors.set(s.key, err);
        this.log?.('debug', 'cannot bind socket', { socket: s.key, gateway: s.gateway, error: err });
      }
    }
    for (const s of next.sockets.values()) {
      if (!SERVED.has(s.protocol)) this.log?.('debug', 'socket protocol not served by the HTTP data plane', { socket: s.key, protocol: s.protocol });
    }
    this.current = next;
    this.origins.retain(ir); // TLS origins no backend of this version uses close once idle
    for (const key of this.listeners.keys()) {
      const s = next.sockets.get(key);
      if (s !== undefined && SERVED.has(s.protocol)) continue;
      this.listeners.remove(key);
      this.tls.drop(key);
    }
    for (const [key, err] of await this.l4.apply(ir)) bindErrors.set(key, err); // L4, after HTTP sockets were released
    this.log?.('info', 'applied IR', { version: next.version, sockets: next.sockets.size, bindErrors: bindErrors.size });
    return { version: next.version, bindErrors };
  }

  /** Stops every listener (busy connections get a short grace) and the upstream pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.listeners.closeAll(this.closeGraceMs);
    this.agent.destroy();
    this.pools.close();
    this.fast?.close();
    this.h2.close();
    this.origins.close();
    await this.l4.close(); // L4
  }
}
