/**
 * Misdirected requests (HTTP 421). A TLS connection is bound to the listener its SNI selected, but a
 * client may reuse it for other hosts the certificate covers (HTTP/2 connection coalescing) or simply
 * send a Host that differs from its SNI. The Gateway API listener hostname rules say: when the Host
 * selects a different listener on the same port than the SNI did (another listener matches it exactly
 * or with a more specific wildcard, or the SNI's listener does not match it but another does), answer
 * 421 so the client retries on a new connection; when no listener matches the Host, it is a plain 404.
 * This holds whether or not the two listeners share a certificate: routes, and later client
 * certificate validation, belong to the listener.
 */
import { normaliseHost } from '../router/hosts.ts';

/** Anything that finds the listener for a host the way the router does (a HostTable of listeners). */
export interface ListenerLookup<T> {
  lookup(host: string): T | undefined;
}

/**
 * True when the request must be answered 421 Misdirected Request.
 *
 * @param sni the connection's SNI (`tlsSocket.servername`; false/undefined when the client sent none)
 * @param host the request's Host header or HTTP/2 :authority, as received (port and case are ignored)
 * @param listeners the listeners of the socket the request arrived on, e.g. the compiled socket's
 *   `listeners` table of the same IR version that routes the request
 */
export function isMisdirected<T>(sni: string | false | null | undefined, host: string | undefined, listeners: ListenerLookup<T>): boolean {
  // Without SNI nothing was selected at the TLS layer: the Host alone decides, as on plain HTTP.
  if (!sni) return false;
  const h = normaliseHost(host);
  if (h === '') return false;
  const s = normaliseHost(sni);
  if (s === h) return false;
  const byHost = listeners.lookup(h);
  // No listener serves this host at all: the router answers 404, as the specification requires.
  if (byHost === undefined) return false;
  return listeners.lookup(s) !== byHost;
}
