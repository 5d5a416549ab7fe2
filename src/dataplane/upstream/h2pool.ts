/**
 * HTTP/2 sessions to upstream endpoints, one per endpoint, shared by every stream to it: cleartext with
 * prior knowledge (h2c) by default, or over TLS with ALPN h2 when the pool is given TLS options (one pool
 * per BackendTLSPolicy origin, see tls.ts, so sessions of different TLS settings are never shared). A session that receives GOAWAY, errors, times out idle or closes leaves the pool at once;
 * the next request opens a fresh one while streams already on the old session finish there.
 */
import { connect, constants, type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import type { IREndpoint } from '../../ir/types.ts';

/** Pool tunables. */
export interface H2PoolOptions {
  /** A session with no stream for this long is closed (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Connect with TLS using these options (ALPN h2 is added); absent = h2c. */
  readonly tls?: SecureClientSessionOptions;
}

/** The error code a stream carries when the server refused it before processing (safe to send again). */
export const REFUSED_STREAM = constants.NGHTTP2_REFUSED_STREAM;

/** Pooled h2c sessions keyed by "address:port". */
export class H2Pool {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  private readonly idleTimeoutMs: number;
  private readonly tls: SecureClientSessionOptions | undefined;
  private closed = false;

  constructor(o: H2PoolOptions = {}) {
    this.idleTimeoutMs = o.idleTimeoutMs ?? 60_000;
    this.tls = o.tls;
  }

  /** Sessions currently pooled (open or connecting). */
  get size(): number {
    return this.sessions.size;
  }

  /** The pooled session for an endpoint, opening one when there is none usable. */
  session(ep: IREndpoint): ClientHttp2Session {
    const key = `${ep.address}:${ep.port}`;
    const cur = this.sessions.get(key);
    if (cur !== undefined && !cur.closed && !cur.destroyed) return cur;
    if (this.closed) throw new Error('upstream pool is closed');
    const host = ep.address.includes(':') ? `[${ep.address}]` : ep.address;
    const s = this.tls === undefined
      ? connect(`http://${host}:${ep.port}`)
      : connect(`https://${host}:${ep.port}`, { ...this.tls, ALPNProtocols: ['h2'] });
    this.sessions.set(key, s);
    const drop = (): void => {
      if (this.sessions.get(key) === s) this.sessions.delete(key);
    };
    // GOAWAY: no new streams may start here; in-flight ones run to completion on this session.
    s.on('goaway', drop);
    s.on('close', drop);
    // Session errors (refused connection, protocol errors) reach the streams as their own errors.
    s.on('error', drop);
    s.setTimeout(this.idleTimeoutMs, () => {
      drop();
      s.close();
    });
    return s;
  }

  /** Forgets a session that proved unusable (e.g. request() threw on it), so the next call reconnects. */
  discard(ep: IREndpoint, s: ClientHttp2Session): void {
    const key = `${ep.address}:${ep.port}`;
    if (this.sessions.get(key) === s) this.sessions.delete(key);
    s.destroy();
  }

  /** Stops pooling: no new sessions; open ones close once their streams are done. */
  drain(): void {
    this.closed = true;
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  /** Closes every session: graceful for idle ones, streams still running are cut. */
  close(): void {
    this.closed = true;
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }
}
