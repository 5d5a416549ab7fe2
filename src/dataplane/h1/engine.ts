/**
 * The HTTP/1.1 fast path: plaintext HTTP/1.1 connections served on the raw net.Socket instead of node:http.
 *
 * Why hand-written. On one core, with small responses and 50 keep-alive connections, node:http's per-request
 * JavaScript machinery (IncomingMessage / ServerResponse streams, header objects built and validated twice,
 * OutgoingMessage's head assembly, socket parser bookkeeping) plus undici's dispatcher on the upstream side
 * cost more than everything Gatehouse itself does; a bare Node TCP pipe carries about 3x the requests of a
 * node:http proxy on the same core, so the sockets are not the limit, per-request work is. No library parses
 * HTTP/1.1 on a raw socket for proxying at that speed (llhttp is reachable only through node:http or undici's
 * WebAssembly with their stream objects around it), so the fast path parses and relays itself.
 *
 * The rule that keeps it safe: strict accept, bail on doubt. The parsers (request.ts, response.ts, chunked.ts)
 * recognise only the clean common shape; any other request, or a route that needs more than header modifiers
 * (route.ts), hands the connection to node:http at that request boundary with nothing in flight, and node:http
 * serves the rest of it with every feature and its own error answers. So the fast path never has to be
 * complete, only correct for what it accepts.
 *
 * Pieces: conn.ts (client connection: heads, bodies, pipelining, timeouts, handover), exchange.ts (one
 * proxied exchange), upstream.ts (raw keep-alive sockets pooled per endpoint), answers.ts (local answers).
 *
 * Measured with `npm run bench -- --scenario 1 --duration 5` under the shared bench lock, proxy pinned to one
 * core of a 2-CPU VM whose speed swung with outside load (the same peer moved up to 40% between runs: compare
 * ratios within a run, never rates across runs). Small responses, 50 connections:
 *
 *   |                            | before (node:http+undici) | after, run A | after, run B |
 *   |----------------------------|--------------------------:|-------------:|-------------:|
 *   | Gatehouse                  |               13.1k req/s |        31.8k |        28.6k |
 *   | nginx (1 worker)           |                     51.5k |        56.0k |        57.4k |
 *   | plain Node proxy           |                     10.8k |        12.7k |        17.3k |
 *   | node TCP pipe              |                     48.4k |        54.2k |        59.0k |
 *   | Gatehouse vs nginx / plain |             0.25x / 1.20x | 0.57x / 2.51x | 0.50x / 1.65x |
 *   | p99 at half nginx's rate   |   556 ms (rate not held)  | 79.7 ms (nginx 34.2) | 481 ms (nginx 42) |
 *
 * (run A was before the shared upstream read buffer of upstream.ts; run B after it, on a busier machine.)
 * Interleaved A/B rounds in one run (fast path, then the node:http path of the same build via
 * GATEHOUSE_FASTPATH=0, then nginx; small/50, 4 s each): fast path 1.3x-2.6x the node:http path's rate at
 * 32-40 µs vs 48-97 µs of CPU per request on a loaded machine; on quiet rounds 45-51k req/s at 19-22 µs,
 * 0.64x-0.83x of nginx. A profile puts ~45% of the proxy's busy time in the two write syscalls per request
 * (loopback TCP delivery included), ~10% in libuv, ~20% in this directory (head parsing and building) and
 * ~15% in net.Socket's stream layers (read events, write requests).
 */
import type { Socket } from 'node:net';
import type { CompiledSocket } from '../compile/types.ts';
import { tails, type Tails } from './answers.ts';
import { H1Conn } from './conn.ts';
import { UpstreamPools } from './upstream.ts';

/** What the fast path needs from the data plane. */
export interface H1EngineOptions {
  /** The compiled table of a socket key in the version serving now (read once per request). */
  readonly lookup: (key: string) => CompiledSocket | undefined;
  /** Idle keep-alive timeout of client connections (node:http's keepAliveTimeout on the other path). */
  readonly keepAliveTimeoutMs: number;
}

/** Gives a connection (and the bytes not consumed yet) to node:http. */
export type HandOver = (sock: Socket, rest: Buffer | undefined) => void;

/** Counters of the fast path (tests, metrics). */
export interface H1Stats {
  /** Requests proxied or answered locally by the fast path. */
  served: number;
  /** Connections given to node:http. */
  handedOver: number;
}

/** The fast path of one data plane: the upstream pools it shares across sockets. */
export class H1Engine {
  readonly pools = new UpstreamPools();
  readonly stats: H1Stats = { served: 0, handedOver: 0 };
  readonly tails: Tails;
  readonly idleMs: number;
  private readonly opts: H1EngineOptions;

  constructor(opts: H1EngineOptions) {
    this.opts = opts;
    this.idleMs = opts.keepAliveTimeoutMs;
    this.tails = tails(opts.keepAliveTimeoutMs);
  }

  /** The fast path of one bound socket. */
  front(key: string, handOver: HandOver): H1Front {
    return new H1Front(key, this.opts.lookup, handOver, this);
  }

  /** Closes idle upstream connections. */
  close(): void {
    this.pools.close();
  }
}

/** The fast-path connections of one bound socket: accepts them, drains them on removal. */
export class H1Front {
  readonly key: string;
  readonly pools: UpstreamPools;
  readonly tails: Tails;
  readonly idleMs: number;
  readonly stats: H1Stats;
  private readonly lookup: (key: string) => CompiledSocket | undefined;
  private readonly give: HandOver;
  private readonly conns = new Set<H1Conn>();
  private draining = false;
  /** Coarse clock (ms) for idle timeouts, advanced by the sweep: no clock read per request. */
  clock = Date.now();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(key: string, lookup: (key: string) => CompiledSocket | undefined, give: HandOver, engine: H1Engine) {
    this.key = key;
    this.lookup = lookup;
    this.give = give;
    this.pools = engine.pools;
    this.tails = engine.tails;
    this.idleMs = engine.idleMs;
    this.stats = engine.stats;
  }

  /** Serves a new connection whose first bytes (not HTTP/2's preface) are `first`. */
  accept(sock: Socket, first: Buffer): void {
    if (this.draining) {
      this.stats.handedOver++;
      this.give(sock, first);
      return;
    }
    if (this.sweeper === undefined) {
      this.clock = Date.now();
      this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(1000, this.idleMs / 4)));
      this.sweeper.unref();
    }
    const c = new H1Conn(sock, this);
    this.conns.add(c);
    c.onData(first);
  }

  /** Closes connections idle past the keep-alive timeout; stops when there are none left. */
  private sweep(): void {
    this.clock = Date.now();
    for (const c of this.conns) c.sweep(this.clock, this.idleMs);
    if (this.conns.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** The compiled socket serving now: the one read per request. */
  socket(): CompiledSocket | undefined {
    return this.lookup(this.key);
  }

  /** A connection closed. */
  forget(c: H1Conn): void {
    this.conns.delete(c);
  }

  /** A connection leaves the fast path for node:http. */
  handOver(c: H1Conn, rest: Buffer | undefined): void {
    this.conns.delete(c);
    this.stats.handedOver++;
    this.give(c.sock, rest);
  }

  /** Listener removal: idle connections close now, busy ones after their response (with Connection: close). */
  drain(): void {
    this.draining = true;
    for (const c of this.conns) c.drain();
  }

  /** The drain timeout ran out: cut what is left. */
  cut(): void {
    for (const c of this.conns) c.sock.destroy();
  }

  /** Open fast-path connections (tests). */
  get size(): number {
    return this.conns.size;
  }
}
