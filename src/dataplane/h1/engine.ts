/**
 * The HTTP/1.1 fast path: HTTP/1.1 connections served on the socket instead of node:http: the raw net.Socket
 * of a plaintext listener, or the TLSSocket of an HTTPS one (ALPN http/1.1 or none), where a request whose
 * Host selects another listener than the SNI did is left to node:http for its 421. Over TLS (small responses,
 * 50 connections, one core) it carries ~1.85x what node:http does: 25-27k req/s against 14k, nginx 42k.
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
 * proxied exchange), upstream.ts (raw keep-alive sockets pooled per endpoint), answers.ts (local answers),
 * request.ts / response.ts / bytes.ts (head parsers), clock.ts (coarse clock: no Date.now() per request).
 *
 * Per-request cost, round 2. The head parsers check bytes on the Buffer and decode a head once, when complete
 * (not a 4 KiB window first); common field names are constant strings (no string-table lookup as object keys);
 * the upstream request head is written straight from the client's fields when no modifier applies; the Date
 * header and pool idle stamps read a coarse clock. Micro-benchmarks (one core): request head of wrk 771 → 228 ns,
 * of a browser (9 fields) 5.8 → 2.2 µs, nginx's response head 1.7 µs → 0.47 µs, upstream head 262 → 40 ns.
 * `npm run bench -- --scenario 1 --duration 3 --warmup 1` under the bench lock, machine quiet (0% busy outside),
 * small responses, 50 connections (before = the round-1 build, same command, a few minutes apart):
 *
 *   |                            | before (round 1) | after (round 2) |
 *   |----------------------------|-----------------:|----------------:|
 *   | Gatehouse                  |      43.5k req/s |     56.3k req/s |
 *   | nginx (1 worker)           |            75.6k |           75.0k |
 *   | plain Node proxy           |            17.0k |           17.4k |
 *   | Gatehouse vs nginx / plain |    0.58x / 2.56x |   0.75x / 3.23x |
 *   | small, 1 connection        |  0.82x nginx     |   0.97x nginx   |
 *
 * Interleaved rounds of both builds in one process tree (proxy CPU time from /proc, per request): 17-24 µs
 * after vs 22-29 µs before; nginx 13-18 µs; the bare Node TCP pipe 16-18 µs. perf puts about half of the
 * proxy's CPU in the kernel (two reads and two writes per request, the same syscalls nginx makes: strace counts
 * exactly 2 read + 2 write per request and one epoll_wait per ~50), and most of the rest in Node's per-read and
 * per-write machinery (a 64 KiB malloc per client read, Readable push, WriteWrap + nextTick per write); this
 * directory is now ~7% of the samples. Left: client sockets still read through the stream layer, because Node
 * 24.9 documents `onread` only for sockets it creates, not for ones a net.Server accepts.
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

  /** Serves a new connection whose first bytes (not HTTP/2's preface), when already read, are `first`. */
  accept(sock: Socket, first?: Buffer): void {
    if (this.draining) {
      this.stats.handedOver++;
      this.give(sock, first);
      return;
    }
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(10, Math.min(1000, this.idleMs / 4)));
      this.sweeper.unref();
    }
    const c = new H1Conn(sock, this);
    this.conns.add(c);
    if (first !== undefined) c.onData(first);
  }

  /** Closes connections idle past the keep-alive timeout; stops when there are none left. */
  private sweep(): void {
    const now = Date.now();
    for (const c of this.conns) c.sweep(now, this.idleMs);
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
