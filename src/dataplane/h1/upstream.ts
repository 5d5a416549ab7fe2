/**
 * The fast path's upstream connections: raw keep-alive sockets pooled per endpoint (address:port). A socket
 * goes back to its pool only after a response that was read completely and allows reuse; idle sockets are
 * reused newest first and closed after IDLE_MS (shorter than common backend keep-alive timeouts, so the
 * backend rarely closes one under a new request), by one sweep timer per pool set instead of a timer each.
 */
import { connect, type Socket } from 'node:net';
import type { IREndpoint } from '../../ir/types.ts';
import { coarseNow } from './clock.ts';

/** Who is using a connection: receives its bytes, its end and its drain. */
export interface UpstreamOwner {
  /**
   * Bytes read. `chunk` is a view of a buffer shared by every upstream connection and reused by the next
   * read on any of them: copy what must outlive the call (UpstreamPools.copyOf for a socket write).
   */
  onUpstreamData(c: UpstreamConn, chunk: Buffer): void;
  /** The connection closed or failed; `err` is set on an error. */
  onUpstreamEnd(c: UpstreamConn, err: Error | undefined): void;
  onUpstreamDrain(c: UpstreamConn): void;
}

/** Idle upstream connections close after this long. */
export const IDLE_MS = 4_000;

/** Idle connections kept per endpoint. */
export const MAX_IDLE = 128;

/** One upstream socket. */
export class UpstreamConn {
  readonly sock: Socket;
  readonly key: string;
  owner: UpstreamOwner | undefined;
  /** It carried a complete exchange before: a failure before any answer may be the idle-close race. */
  reused = false;
  idleSince = 0;
  closed = false;
  private readonly pools: UpstreamPools;

  constructor(pools: UpstreamPools, key: string, ep: IREndpoint) {
    this.pools = pools;
    this.key = key;
    // Reads land in the pools' shared buffer and reach onRead directly: no Readable stream machinery and no
    // buffer allocated per read. What the owner keeps or queues beyond the call it copies or detaches.
    this.sock = connect({ host: ep.address, port: ep.port, noDelay: true, onread: { buffer: pools.nextReadBuffer, callback: this.onRead } });
    this.sock.on('drain', this.onDrain);
    this.sock.on('error', this.onError);
    this.sock.on('close', this.onClose);
  }

  /** Returns true: pausing is done with sock.pause() (backpressure), never by the return value. */
  private readonly onRead = (nread: number, buf: Uint8Array): boolean => {
    if (this.owner !== undefined) this.owner.onUpstreamData(this, (buf as Buffer).subarray(0, nread));
    else this.sock.destroy(); // bytes nobody asked for: the connection is no longer in a known state
    return true;
  };

  private readonly onDrain = (): void => this.owner?.onUpstreamDrain(this);

  private readonly onError = (err: Error): void => this.end(err);

  private readonly onClose = (): void => this.end(undefined);

  private end(err: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.sock.destroy();
    const o = this.owner;
    this.owner = undefined;
    if (o !== undefined) o.onUpstreamEnd(this, err);
    else this.pools.forget(this);
  }

  /** Closes it; the owner (if any) is not told. */
  destroy(): void {
    this.owner = undefined;
    if (!this.closed) this.end(undefined);
  }
}

/** Pool keys per endpoint object: the "address:port" string is built once per endpoint, not per request. */
const keys = new WeakMap<IREndpoint, string>();

function keyOf(ep: IREndpoint): string {
  let k = keys.get(ep);
  if (k === undefined) {
    k = `${ep.address}:${ep.port}`;
    keys.set(ep, k);
  }
  return k;
}

/** Size of the shared read buffer (node's own read size). */
const READ_SIZE = 64 * 1024;

/** Copy blocks kept for reuse (copyOf): 2 MiB at most. */
const MAX_SPARE = 32;

/** Every endpoint's idle connections, and the read buffer all upstream sockets share. */
export class UpstreamPools {
  private readonly idle = new Map<string, UpstreamConn[]>();
  private readBuf = Buffer.allocUnsafeSlow(READ_SIZE);
  /** The buffer the next upstream read goes into (node calls this after every read). */
  readonly nextReadBuffer = (): Buffer => this.readBuf;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  /** An idle connection to the endpoint (newest first), or a new one. */
  acquire(ep: IREndpoint, owner: UpstreamOwner, fresh = false): UpstreamConn {
    const key = keyOf(ep);
    const list = fresh ? undefined : this.idle.get(key);
    if (list !== undefined) {
      const now = coarseNow();
      while (list.length > 0) {
        const c = list.pop()!;
        if (c.closed) continue;
        if (now - c.idleSince >= IDLE_MS) {
          c.destroy();
          continue;
        }
        c.owner = owner;
        return c;
      }
    }
    const c = new UpstreamConn(this, key, ep);
    c.owner = owner;
    return c;
  }

  /**
   * A copy of `chunk` (a view of the shared read buffer) that a socket write may hold for as long as it
   * needs; pass `recycle` as the write's callback. The shared buffer itself must never be queued: node
   * gives each socket the buffer for its next read when the previous read ends, so every upstream socket
   * may hold it, and any of them would read into bytes still waiting to be written. Copies come from a
   * small free list, so a busy proxy of large bodies does not allocate (and collect) 64 KiB per read.
   */
  copyOf(chunk: Buffer): { copy: Buffer; recycle: () => void } {
    const block = this.spare.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
    const n = chunk.copy(block, 0, 0, Math.min(chunk.length, READ_SIZE));
    const recycle = (): void => {
      if (this.spare.length < MAX_SPARE) this.spare.push(block);
    };
    return { copy: n === chunk.length ? block.subarray(0, n) : Buffer.from(chunk), recycle };
  }
  private readonly spare: Buffer[] = [];

  /** Returns a connection after a complete, reusable exchange. */
  release(c: UpstreamConn): void {
    c.owner = undefined;
    if (c.closed) return;
    let list = this.idle.get(c.key);
    if (list === undefined) {
      list = [];
      this.idle.set(c.key, list);
    }
    if (this.closed || list.length >= MAX_IDLE) {
      c.destroy();
      return;
    }
    c.reused = true;
    c.idleSince = coarseNow();
    list.push(c);
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => this.sweep(), IDLE_MS / 4);
      this.sweeper.unref();
    }
  }

  /** Drops a closed idle connection from its list. */
  forget(c: UpstreamConn): void {
    const list = this.idle.get(c.key);
    const i = list === undefined ? -1 : list.indexOf(c);
    if (i >= 0) list!.splice(i, 1);
  }

  /** Closes connections idle for IDLE_MS (oldest are at the front of each list). */
  private sweep(): void {
    const limit = Date.now() - IDLE_MS;
    let left = 0;
    for (const [key, list] of this.idle) {
      let n = 0;
      while (n < list.length && list[n].idleSince <= limit) n++;
      for (const c of list.splice(0, n)) c.destroy();
      if (list.length === 0) this.idle.delete(key);
      left += list.length;
    }
    if (left === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Closes every idle connection; later releases close instead of pooling. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const list of this.idle.values()) for (const c of list.splice(0)) c.destroy();
    this.idle.clear();
  }

  /** Idle connections per endpoint key (tests). */
  idleCount(key: string): number {
    return this.idle.get(key)?.length ?? 0;
  }
}
