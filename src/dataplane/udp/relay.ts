/**
 * A UDP listener socket relaying datagrams to the backend of its UDPRoute.
 *
 * UDP has no connections, so the relay keeps one session per client address: the first datagram from
 * a client picks a backend endpoint (the unit of weight) and opens an upstream socket connected to it;
 * later datagrams of that client reuse it, and the backend's replies are sent back to the client from
 * the listener socket, so the client sees answers from the address it sent to. A session ends after
 * `idleTimeoutMs` without traffic either way. Sessions are capped; past the cap new clients are dropped
 * (UDP's own failure mode) rather than exhausting file descriptors.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { IREndpoint } from '../../ir/types.ts';
import type { L4Log } from '../tlsroute/connection.ts';
import type { L4Target } from '../tcp/target.ts';
import { describeBindError } from '../bind-error.ts';

/** Options of UdpRelay. */
export interface UdpRelayOptions {
  /** Session idle timeout (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Most concurrent client sessions (default 4096). */
  readonly maxSessions?: number;
  /** Datagrams queued per session while its upstream socket connects (default 64). */
  readonly maxPending?: number;
  readonly log?: L4Log;
  /** Bind with SO_REUSEPORT (worker processes sharing the port; the kernel keeps a client's flow on one). */
  readonly reusePort?: boolean;
}

interface Session {
  readonly up: Socket;
  readonly timer: NodeJS.Timeout;
  /** Datagrams waiting for the upstream connect; undefined once connected. */
  pending: Buffer[] | undefined;
}

/** One bound UDP socket of the IR and its client sessions. */
export class UdpRelay {
  readonly key: string;
  private readonly opts: UdpRelayOptions;
  private readonly sessions = new Map<string, Session>();
  private sock: Socket | undefined;
  private target: L4Target | undefined;

  constructor(key: string, opts: UdpRelayOptions = {}) {
    this.key = key;
    this.opts = opts;
  }

  /** Number of live sessions (for tests and metrics). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Binds the listener socket; resolves to an error string or undefined. */
  bind(address: string, port: number): Promise<string | undefined> {
    const sock = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reuseAddr: false, reusePort: this.opts.reusePort === true });
    return new Promise((resolve) => {
      sock.once('error', (err: NodeJS.ErrnoException) => {
        sock.close();
        resolve(describeBindError(err, address, port));
      });
      sock.bind({ address, port, exclusive: true }, () => {
        sock.removeAllListeners('error');
        sock.on('error', (err) => this.opts.log?.('warn', 'UDP socket error', { socket: this.key, error: err.message }));
        sock.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
        this.sock = sock;
        resolve(undefined);
      });
    });
  }

  /** New sessions use `target` (undefined = drop); existing sessions keep their backend until idle. */
  update(target: L4Target | undefined): void {
    this.target = target;
  }

  private onMessage(msg: Buffer, from: RemoteInfo): void {
    const id = `${from.address}|${from.port}`;
    let s = this.sessions.get(id);
    if (s === undefined) {
      s = this.open(id, from);
      if (s === undefined) return;
    } else {
      s.timer.refresh();
    }
    if (s.pending !== undefined) {
      if (s.pending.length < (this.opts.maxPending ?? 64)) s.pending.push(msg);
      return;
    }
    s.up.send(msg);
  }

  /** Starts a session for a new client, or drops its datagram. */
  private open(id: string, client: RemoteInfo): Session | undefined {
    if (this.sessions.size >= (this.opts.maxSessions ?? 4096)) {
      this.opts.log?.('warn', 'UDP session limit reached, datagram dropped', { socket: this.key });
      return undefined;
    }
    const choice = this.target?.next() ?? { refused: 'no route' };
    if ('refused' in choice) {
      this.opts.log?.('debug', 'UDP datagram dropped', { socket: this.key, reason: choice.refused });
      return undefined;
    }
    const ep: IREndpoint = choice.endpoint;
    const up = createSocket(isIPv6(ep.address) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => this.close(id), this.opts.idleTimeoutMs ?? 60_000);
    timer.unref();
    const s: Session = { up, timer, pending: [] };
    this.sessions.set(id, s);
    up.on('error', (err) => {
      this.opts.log?.('debug', 'UDP upstream error', { socket: this.key, endpoint: `${ep.address}:${ep.port}`, error: err.message });
      this.close(id);
    });
    // Replies come only from the connected backend; the kernel filters other senders.
    up.on('message', (reply) => {
      s.timer.refresh();
      this.sock?.send(reply, client.port, client.address);
    });
    up.connect(ep.port, ep.address, () => {
      const queued = s.pending ?? [];
      s.pending = undefined;
      for (const m of queued) up.send(m);
    });
    return s;
  }

  private close(id: string): void {
    const s = this.sessions.get(id);
    if (s === undefined) return;
    this.sessions.delete(id);
    clearTimeout(s.timer);
    try {
      s.up.close();
    } catch {
      // already closed
    }
  }

  /** Closes the listener socket and every session. */
  shutdown(): void {
    for (const id of [...this.sessions.keys()]) this.close(id);
    const sock = this.sock;
    this.sock = undefined;
    try {
      sock?.close();
    } catch {
      // already closed
    }
  }
}
