/**
 * A small HTTP/1.1 keep-alive load generator on raw sockets, for what wrk cannot do: a fixed request rate
 * (open loop, like wrk2) and an exact count of every status code and connection error (scenario 4).
 *
 * Open loop: request n is due at t0 + n/rate and goes to connection n % connections; when that connection
 * is still busy the request waits, and the wait counts as latency (no coordinated omission). Latency is
 * measured from the timer tick that found the request due, so the generator's own 1 ms timer granularity
 * is not charged to the system under test, but queueing behind a slow response is.
 *
 * It runs as its own process (pinned to the load CPU) via runLoad(); the entry at the bottom is that process.
 */
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from './tools.ts';
import { runToEnd } from './procs.ts';

/** What to load and how. */
export interface LoadSpec {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** Host header (defaults to host). */
  readonly hostHeader?: string;
  readonly connections: number;
  /** Requests per second over all connections; 0 = closed loop (each connection sends as fast as answered). */
  readonly rate: number;
  readonly durationMs: number;
}

/** What came back. */
export interface LoadResult {
  readonly sent: number;
  readonly completed: number;
  /** Completed requests per second over the whole run. */
  readonly rps: number;
  /** Status code → count. */
  readonly statuses: Record<string, number>;
  /** Connection errors (refused, reset, closed mid-response), by message. */
  readonly errors: Record<string, number>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

interface Conn {
  sock: Socket | undefined;
  queue: number[]; // intended start times of requests waiting for this connection
  inflightSince: number; // intended start of the request in flight, or -1
  buf: Buffer;
}

/** Runs one load in a separate process pinned to `cpu` and returns its result. */
export async function runLoad(spec: LoadSpec, cpu?: string): Promise<LoadResult> {
  const self = fileURLToPath(import.meta.url);
  const r = await runToEnd('loadgen', nodeBinary(), [self, JSON.stringify(spec)], { cpu });
  if (r.code !== 0) throw new Error(`load generator failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as LoadResult;
}

/** Parses one complete response at the start of buf: [status, bytes consumed], or undefined if incomplete. */
export function parseResponse(buf: Buffer): [number, number] | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const lower = head.toLowerCase();
  const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
  if (cl) {
    const end = headEnd + 4 + Number(cl[1]);
    return buf.length >= end ? [status, end] : undefined;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
    let pos = headEnd + 4;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
      if (size === 0) {
        const trailerEnd = buf.indexOf('\r\n\r\n', lineEnd);
        return trailerEnd < 0 ? undefined : [status, trailerEnd + 4];
      }
      pos = lineEnd + 2 + size + 2;
      if (pos > buf.length) return undefined;
    }
  }
  return [status, headEnd + 4]; // 204/304 or no body
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The generator itself (runs inside the child process). */
export async function generate(spec: LoadSpec): Promise<LoadResult> {
  const request = Buffer.from(`GET ${spec.path} HTTP/1.1\r\nHost: ${spec.hostHeader ?? spec.host}\r\nUser-Agent: gatehouse-bench\r\n\r\n`, 'latin1');
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const lat: number[] = [];
  let sent = 0;
  let completed = 0;
  let stopping = false;
  const conns: Conn[] = Array.from({ length: spec.connections }, () => ({ sock: undefined, queue: [], inflightSince: -1, buf: Buffer.alloc(0) }));

  const pump = (c: Conn) => {
    if (stopping || c.inflightSince >= 0) return;
    if (spec.rate === 0) c.queue.push(performance.now());
    const due = c.queue.shift();
    if (due === undefined) return;
    if (c.sock === undefined) open(c);
    c.inflightSince = due;
    sent++;
    c.sock!.write(request);
  };
  const fail = (c: Conn, msg: string) => {
    if (c.inflightSince >= 0 && !stopping) errors[msg] = (errors[msg] ?? 0) + 1;
    c.inflightSince = -1;
    c.sock = undefined;
    c.buf = Buffer.alloc(0);
    if (!stopping) setTimeout(() => pump(c), 1);
  };
  const open = (c: Conn) => {
    const sock = connect({ host: spec.host, port: spec.port, noDelay: true });
    c.sock = sock;
    sock.on('data', (chunk: Buffer) => {
      c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
      const parsed = parseResponse(c.buf);
      if (parsed === undefined) return;
      const now = performance.now();
      statuses[parsed[0]] = (statuses[parsed[0]] ?? 0) + 1;
      lat.push(now - c.inflightSince);
      completed++;
      c.buf = c.buf.subarray(parsed[1]);
      c.inflightSince = -1;
      pump(c);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (c.sock === sock) fail(c, e.code ?? e.message);
    });
    sock.on('close', () => {
      if (c.sock === sock) fail(c, 'closed by peer mid-request');
    });
  };

  const t0 = performance.now();
  let scheduled = 0;
  const tick = () => {
    const now = performance.now();
    if (now - t0 >= spec.durationMs) return;
    const due = Math.floor(((now - t0) / 1000) * spec.rate);
    for (; scheduled < due; scheduled++) {
      const c = conns[scheduled % conns.length];
      c.queue.push(now);
      pump(c);
    }
    setTimeout(tick, 1);
  };
  if (spec.rate > 0) tick();
  else for (const c of conns) pump(c);

  await new Promise((r) => setTimeout(r, spec.durationMs));
  stopping = true;
  const elapsed = performance.now() - t0;
  for (const c of conns) c.sock?.destroy();
  const sorted = Float64Array.from(lat).sort();
  return {
    sent,
    completed,
    rps: completed / (elapsed / 1000),
    statuses,
    errors,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const spec = JSON.parse(process.argv[2]) as LoadSpec;
  const result = await generate(spec);
  process.stdout.write(JSON.stringify(result));
}
