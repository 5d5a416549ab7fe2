/**
 * Upstream connection pooling for HTTP/1.1: one undici Pool per endpoint origin (address:port, and per TLS
 * settings: a TlsOrigin owns its own UpstreamPools), reused across IR versions while the endpoint exists.
 *
 * Why undici and not node:http's Agent. Measured on one pinned core, 39-byte responses, 50 keep-alive
 * connections, wrk, the same nginx backend (2-CPU machine shared with other work; issue 6):
 *
 *   `npm run bench -- --scenario 1 --duration 5`, same run each side:
 *   |                               | before (Agent) | after (undici) |
 *   |-------------------------------|---------------:|---------------:|
 *   | Gatehouse                     |     9.6k req/s |    34.4k req/s |
 *   | nginx (1 worker)              |          22.2k |         104.4k |
 *   | plain Node proxy (http.Agent) |          10.6k |          24.7k |
 *   | Gatehouse vs nginx / vs plain |  0.43x / 0.90x |  0.33x / 1.40x |
 *   (the "before" run shared the machine with a conformance run: use the ratios, not the rates)
 *
 *   CPU time per proxied request (/proc utime+stime ÷ requests, medians of 3 interleaved rounds; robust
 *   to other load): Gatehouse with http.Agent 50.3 µs, with undici 35.4 µs (1.42x), plain Node proxy 50.9 µs,
 *   a minimal node:http server + undici proxy 33.1 µs, a raw-socket server + undici (no node:http) ~24 µs.
 *
 * A CPU profile of the Agent path spent more than half its time in node's ClientRequest machinery
 * (Agent.addRequest, _storeHeader, a socket parser per request, writev); undici writes the request head as one
 * string onto a socket it owns and parses with llhttp in WebAssembly, with no stream object per exchange.
 * What is left is node:http's server on the client side (~10 µs per request by the raw-socket experiment) and
 * undici itself; Gatehouse's own routing, header and exchange code is ~2 µs.
 *
 * Kept on node:http's Agent (createUpstreamAgent): mirrors (off the hot path) and requests undici refuses to
 * send (an Expect header; see forward.ts).
 */
import { Agent } from 'node:http';
import type { ConnectionOptions } from 'node:tls';
import { Pool } from 'undici';
import type { IREndpoint } from '../../ir/types.ts';

/** Pool sizing; defaults suit a single proxy process in front of a few dozen endpoints. */
export interface PoolOptions {
  /** Concurrent connections per endpoint; requests beyond it queue inside the pool. */
  readonly maxSocketsPerEndpoint?: number;
  /** Idle connections kept per endpoint (node Agent only; undici closes idle ones by keep-alive timeout). */
  readonly maxIdlePerEndpoint?: number;
}

/** Creates the shared node:http Agent of the paths that stay on node:http (mirrors, Expect requests). */
export function createUpstreamAgent(o: PoolOptions = {}): Agent {
  return new Agent({
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: o.maxSocketsPerEndpoint ?? 512,
    maxFreeSockets: o.maxIdlePerEndpoint ?? 64,
    scheduling: 'lifo',
  });
}

/** Idle keep-alive connections close after this long unless the upstream's Keep-Alive hint says sooner. */
const KEEP_ALIVE_MS = 4_000;

/** How often pools that hold no connection and no request are dropped (endpoints come and go). */
export const SWEEP_EVERY_MS = 60_000;

/** The HTTP/1.1 origins of one kind (plaintext, or one set of TLS settings), created on first use. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  /** IR endpoints are immutable and shared by every request of a version: one WeakMap hit, no key string. */
  private readonly byEndpoint = new WeakMap<IREndpoint, Pool>();
  private readonly scheme: 'http' | 'https';
  private readonly options: Pool.Options;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  /** `tls`: node TLS client options (CA, servername, client certificate, identity check) for every connection. */
  constructor(tls?: ConnectionOptions, o: PoolOptions = {}) {
    this.scheme = tls === undefined ? 'http' : 'https';
    this.options = {
      connections: o.maxSocketsPerEndpoint ?? 512,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      // Gatehouse applies its own per-attempt and per-request timeouts (route timeouts); none from undici.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(tls !== undefined && { connect: { ...tls, ALPNProtocols: ['http/1.1'] } as Pool.Options['connect'], allowH2: false }),
    };
  }

  /** Pools currently held. */
  get size(): number {
    return this.pools.size;
  }

  /** The pool of one endpoint. */
  get(ep: IREndpoint): Pool {
    const hit = this.byEndpoint.get(ep);
    if (hit !== undefined && !hit.closed && !hit.destroyed) return hit;
    const key = ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
    let pool = this.pools.get(key);
    if (pool === undefined || pool.closed || pool.destroyed) {
      pool = new Pool(`${this.scheme}://${key}`, this.options);
      this.pools.set(key, pool);
      this.sweeper ??= this.startSweeper();
    }
    this.byEndpoint.set(ep, pool);
    return pool;
  }

  private startSweeper(): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const t = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    t.unref(); // never keeps the process alive
    return t;
  }

  /** Drops pools with no connection and no request in flight. Returns how many were dropped. */
  sweep(): number {
    let dropped = 0;
    for (const [key, pool] of this.pools) {
      const s = pool.stats;
      if (s.connected > 0 || s.size > 0) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
      dropped++;
    }
    return dropped;
  }

  /** Idle connections close now, busy ones once their exchange ends; later requests open new pools. */
  drain(): void {
    clearInterval(this.sweeper); // a retired owner must not be kept alive by its timer; get() restarts it
    this.sweeper = undefined;
    for (const pool of this.pools.values()) void pool.close().catch(() => undefined);
    this.pools.clear();
  }

  /** Cuts every connection, busy or not. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const pool of this.pools.values()) void pool.destroy().catch(() => undefined);
    this.pools.clear();
  }
}
