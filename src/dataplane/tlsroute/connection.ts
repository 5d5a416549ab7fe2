/**
 * One connection on a TLS socket: read the ClientHello, choose the listener and the route by SNI, pick a
 * backend endpoint, then either forward the untouched bytes (Passthrough) or complete the handshake here
 * with the listener's certificate and forward the decrypted stream (Terminate). Every refusal (no
 * ClientHello, no listener or route for the SNI, invalid backend) closes the connection: the client sees
 * the handshake end, never a certificate for some other name.
 */
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { IRBackend, IREndpoint } from '../../ir/types.ts';
import { pickCertificate } from '../tls/contexts.ts';
import { splice } from '../tcp/splice.ts';
import type { TlsOrigins } from '../upstream/tls.ts';
import { DEFAULT_HELLO_TIMEOUT_MS, peekClientHello } from './peek.ts';
import type { TlsRouteListener, TlsRouteTable } from './table.ts';

/** Logging hook: refusals are `debug` (clients cause them), upstream failures `warn`. */
export type L4Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** Options of handleTlsConnection. */
export interface TlsConnectionOptions {
  readonly helloTimeoutMs?: number;
  readonly log?: L4Log;
  /** Socket key, for logs. */
  readonly socket: string;
  /**
   * TLS origination (BackendTLSPolicy) for the backends of Terminate listeners. Passthrough forwards the
   * client's own TLS untouched, so a policy does not apply there (GEP-1897 leaves it to implementations).
   */
  readonly origins?: TlsOrigins;
}

/** Serves one accepted connection with the table current when it arrived. */
export function handleTlsConnection(sock: Socket, table: TlsRouteTable, opts: TlsConnectionOptions): void {
  peekClientHello(sock, opts.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS, (hello) => {
    if (!hello.ok) return refuse(sock, opts, hello.reason);
    const sni = hello.serverName ?? '';
    const listener = table.listeners.lookup(sni);
    if (listener === undefined) return refuse(sock, opts, `no TLS listener for server name "${sni}"`);
    const target = listener.routes.lookup(sni);
    if (target === undefined) return refuse(sock, opts, `listener ${listener.name} has no route for server name "${sni}"`);
    const choice = target.next();
    if ('refused' in choice) return refuse(sock, opts, choice.refused);
    if (listener.mode === 'Passthrough') {
      forward(sock, choice.endpoint, opts, hello.head);
    } else {
      sock.unshift(hello.head);
      terminate(sock, listener, sni, choice.endpoint, choice.backend, opts);
    }
  });
}

function refuse(sock: Socket, opts: TlsConnectionOptions, reason: string): void {
  opts.log?.('debug', 'TLS connection refused', { socket: opts.socket, reason });
  sock.destroy();
}

function forward(client: Socket | TLSSocket, ep: IREndpoint, opts: TlsConnectionOptions, head?: Buffer, backend?: IRBackend): void {
  const tls = backend?.tls;
  const origin = tls === undefined ? undefined : opts.origins?.origin(tls);
  if (tls !== undefined && origin === undefined) return refuse(client as Socket, opts, `backend ${backend?.name} needs TLS origination`);
  splice(client, ep, {
    head,
    origin,
    backend: backend?.name,
    onConnectError: (err) => opts.log?.('warn', 'upstream connection failed', { socket: opts.socket, endpoint: `${ep.address}:${ep.port}`, error: err.message }),
  });
}

/** Completes the handshake with the listener's certificate for `sni`, then forwards the plaintext. */
function terminate(sock: Socket, listener: TlsRouteListener, sni: string, ep: IREndpoint, backend: IRBackend, opts: TlsConnectionOptions): void {
  const cert = sni === '' ? listener.certificates[0] : pickCertificate(listener.certificates, sni);
  if (cert === undefined) return refuse(sock, opts, `listener ${listener.name} has no usable certificate`);
  const tls = new TLSSocket(sock, { isServer: true, secureContext: cert.context });
  const timer = setTimeout(() => tls.destroy(), opts.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS);
  tls.on('error', (err) => {
    clearTimeout(timer);
    opts.log?.('debug', 'TLS handshake failed', { socket: opts.socket, listener: listener.name, error: err.message });
    tls.destroy();
    sock.destroy();
  });
  tls.once('close', () => clearTimeout(timer));
  tls.once('secure', () => {
    clearTimeout(timer);
    tls.pause();
    forward(tls, ep, opts, undefined, backend);
  });
  // No resume() on `sock`: the TLSSocket owns it now and drains the pushed-back ClientHello itself.
}
