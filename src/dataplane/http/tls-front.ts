/**
 * The TLS front of an HTTPS socket: a tls.Server that completes handshakes with the certificates of the
 * socket's TlsHolder (SNI callback, rotation by swap), checks the client certificate against the
 * frontend validation mode, then hands the decrypted connection to the same HTTP/1.1 or HTTP/2 server a
 * plain socket uses, chosen by the negotiated ALPN protocol: one router, one set of filters for both.
 * A client that negotiated no ALPN is sniffed like a cleartext connection (HTTP/2 prior knowledge or
 * HTTP/1.x).
 */
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { clientRefusal } from '../tls/clientauth.ts';
import type { TlsHolder } from '../tls/holder.ts';

/** Where a connection goes once its handshake is done. */
export interface TlsHandOff {
  http1(sock: TLSSocket): void;
  h2(sock: TLSSocket): void;
  /** No ALPN protocol was negotiated: look at the first bytes. */
  sniff(sock: TLSSocket): void;
}

/** Options of createTlsFront. */
export interface TlsFrontOptions {
  /** Time a client has to complete its handshake (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** Refused handshakes and clients, for the log. */
  readonly onRefused?: (reason: string) => void;
}

/** The ALPN protocols an HTTPS socket offers, in preference order. */
export const HTTPS_ALPN: readonly string[] = Object.freeze(['h2', 'http/1.1']);

/** Creates the TLS server of one HTTPS socket (not yet listening). */
export function createTlsFront(holder: TlsHolder, handOff: TlsHandOff, opts: TlsFrontOptions = {}): TlsServer {
  const server = createTlsServer({ ...holder.serverOptions(), handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000 });
  holder.attach(server);
  server.on('secureConnection', (sock: TLSSocket) => {
    sock.on('error', () => sock.destroy());
    // The validation of the version current now: a swap between handshake and here can only tighten
    // (a certificate that was not requested fails AllowValidOnly), never let an unverified client in.
    const refused = clientRefusal(sock, holder.current.clientValidation);
    if (refused !== undefined) {
      opts.onRefused?.(refused);
      sock.destroy();
      return;
    }
    if (sock.alpnProtocol === 'h2') handOff.h2(sock);
    else if (sock.alpnProtocol === 'http/1.1') handOff.http1(sock);
    else handOff.sniff(sock);
  });
  // A failed handshake (no certificate for the SNI, protocol version, garbage) costs one connection.
  server.on('tlsClientError', (err: Error, sock: TLSSocket) => {
    opts.onRefused?.(`TLS handshake failed: ${err.message}`);
    sock.destroy();
  });
  return server;
}
