/**
 * The swappable TLS state of one listening HTTPS socket. A server is created once with the holder's
 * options; each new IR version swaps in a new selector, and from then on every new handshake uses it
 * (the SNI callback reads the holder, and the default certificate of SNI-less clients is replaced with
 * server.setSecureContext). Established connections keep the certificate they negotiated, so
 * certificates rotate without a restart and without dropping anyone.
 *
 * Client certificates: when the selector has a client validation the server requests a certificate
 * (server.requestCert, read by node for each new connection) and every context trusts only the
 * validation's CAs. The server never rejects by itself (rejectUnauthorized false): whether an
 * unverified client is served depends on the mode, which the caller checks once the handshake is done
 * (see clientauth.ts).
 */
import type { SecureContext, Server as TlsServer } from 'node:tls';
import type { TlsMinVersion, TlsSelector } from './contexts.ts';

/** The TLS part of tls.createServer / https.createServer / http2.createSecureServer options. */
export interface TlsServerOptions {
  cert?: string;
  key?: string;
  minVersion: TlsMinVersion;
  ALPNProtocols: string[];
  /** Trusted client CAs of the default context (SNI contexts carry their own). */
  ca?: string;
  requestCert: boolean;
  rejectUnauthorized: false;
  SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
}

/** A mutable reference to the current selector of a socket, shared by the servers bound to it. */
export class TlsHolder {
  private selector: TlsSelector;
  private readonly servers = new Set<TlsServer>();

  constructor(selector: TlsSelector) {
    this.selector = selector;
  }

  /** The selector new handshakes use. */
  get current(): TlsSelector {
    return this.selector;
  }

  /**
   * Options to create the server with. ALPN and the minimum version are fixed for the server's
   * life (they come from the first selector); certificates follow `swap`.
   */
  serverOptions(): TlsServerOptions {
    const s = this.selector;
    return {
      ...s.defaultCredentials,
      minVersion: s.minVersion,
      ALPNProtocols: [...s.alpn],
      ...(s.clientValidation !== undefined && { ca: s.clientValidation.caPem }),
      requestCert: s.clientValidation !== undefined,
      rejectUnauthorized: false,
      SNICallback: this.sniCallback,
    };
  }

  /** Registers a server created with serverOptions(), so that swap() can replace its default certificate. */
  attach(server: TlsServer): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
  }

  /** Makes `next` the selector of every new handshake. */
  swap(next: TlsSelector): void {
    const prev = this.selector;
    this.selector = next;
    const d = next.defaultCredentials;
    const p = prev.defaultCredentials;
    const ca = next.clientValidation?.caPem;
    const sameCa = ca === prev.clientValidation?.caPem;
    if (d?.cert === p?.cert && d?.key === p?.key && next.minVersion === prev.minVersion && sameCa) return;
    for (const server of this.servers) {
      // Rebuilds the server's own context (used when the client sends no SNI). Undefined cert/key
      // leaves a context without a certificate: SNI-less handshakes then fail, as they should.
      server.setSecureContext({ cert: d?.cert, key: d?.key, minVersion: next.minVersion, ...(ca !== undefined && { ca }) });
      // Not an option of setSecureContext; node reads the property for every new connection.
      (server as TlsServer & { requestCert: boolean }).requestCert = ca !== undefined;
    }
  }

  private readonly sniCallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    const ctx = this.selector.contextFor(servername);
    if (ctx !== undefined) cb(null, ctx);
    else cb(new Error(`no certificate for server name "${servername}"`));
  };
}
