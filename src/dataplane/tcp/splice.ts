/**
 * Joins a client stream to a new upstream TCP connection and copies bytes both ways until both sides
 * are done. Backpressure is pipe()'s; half-close is honoured (a client that shuts down its sending
 * side still gets the rest of the answer); an error on either side destroys both. With a TLS origin
 * (BackendTLSPolicy) the upstream connection is TLS, verified like any other, and bytes flow only once
 * the handshake succeeded: a failed verification closes the client, it never falls back to plaintext.
 */
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IREndpoint } from '../../ir/types.ts';
import type { TlsOrigin } from '../upstream/tls.ts';

/** Default limit for establishing the upstream connection. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Options of splice. */
export interface SpliceOptions {
  readonly connectTimeoutMs?: number;
  /** Bytes already read from the client (e.g. a peeked ClientHello), sent upstream first. */
  readonly head?: Buffer;
  /** Called once if the upstream cannot be reached (the client is then destroyed). */
  readonly onConnectError?: (err: Error) => void;
  /** Originate TLS to the upstream with this origin's settings (BackendTLSPolicy). */
  readonly origin?: TlsOrigin;
  /** Backend name, for the origin's failure log. */
  readonly backend?: string;
}

/** Connects to `ep` and pipes `client` through it. The client should be paused; it is resumed on connect. */
export function splice(client: Duplex, ep: IREndpoint, opts: SpliceOptions = {}): Socket {
  const origin = opts.origin;
  const up: Socket = origin !== undefined ? origin.connect(ep) : connect({ host: ep.address, port: ep.port, allowHalfOpen: true });
  up.setNoDelay(true);
  let connected = false;
  const kill = (): void => {
    clearTimeout(timer);
    up.destroy();
    client.destroy();
  };
  const timer = setTimeout(() => {
    opts.onConnectError?.(new Error(`connect to ${ep.address}:${ep.port} timed out`));
    kill();
  }, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  up.once(origin !== undefined ? 'secureConnect' : 'connect', () => {
    connected = true;
    clearTimeout(timer);
    if (opts.head !== undefined && opts.head.length > 0) up.write(opts.head);
    client.pipe(up);
    up.pipe(client);
    client.resume();
  });
  up.on('error', (err) => {
    if (!connected && !origin?.failed(err, ep, opts.backend ?? '')) opts.onConnectError?.(err);
    kill();
  });
  client.on('error', kill);
  // Once the client is gone entirely nothing can use the upstream any more.
  client.once('close', () => {
    clearTimeout(timer);
    up.destroy();
  });
  // The upstream closing normally has already ended the client through pipe(); only an abort is forwarded.
  up.once('close', (hadError) => {
    if (hadError) client.destroy();
  });
  return up;
}
