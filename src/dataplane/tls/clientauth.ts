/**
 * Frontend client certificate validation (Gateway spec.tls.frontend), decided once per connection when
 * its handshake is done. OpenSSL has already verified any certificate the client sent against the CAs
 * of the context the SNI chose (`authorized`, `authorizationError`); what remains is the mode:
 *
 * - AllowValidOnly: only a client whose certificate verified is served; any other connection is closed
 *   before a single request is read (the client sees the connection end, a transport error).
 * - AllowInsecureFallback: every client is served, with or without a certificate, verified or not; the
 *   backend is left to authorize (the specification's wording).
 *
 * Node's own rejectUnauthorized would do the first with a destroy as well; deciding here keeps the mode
 * per IR version (swapped with the certificates) instead of per server.
 */
import type { TLSSocket } from 'node:tls';
import type { IRClientValidation } from '../../ir/types.ts';

/** Why a connection must be closed, or undefined when it may be served. */
export function clientRefusal(sock: TLSSocket, validation: IRClientValidation | undefined): string | undefined {
  if (validation === undefined || validation.mode === 'AllowInsecureFallback') return undefined;
  if (sock.authorized) return undefined;
  const peer = sock.getPeerCertificate();
  if (peer === null || Object.keys(peer).length === 0) return 'client presented no certificate';
  return `client certificate not trusted: ${String(sock.authorizationError ?? 'verification failed')}`;
}
