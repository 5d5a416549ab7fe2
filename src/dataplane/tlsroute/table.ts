/**
 * The SNI routing table of one TLS socket, compiled once per IR version: listeners by hostname (exact,
 * then the longest wildcard, then the catch-all, as for HTTP listeners), and within a listener the
 * route serving the SNI. Terminate listeners carry their loaded certificates (createTlsContexts, so
 * HTTPS and TLS listeners load and reuse certificates the same way).
 */
import type { IRL4Listener, IRSocket } from '../../ir/types.ts';
import { HostTable } from '../router/hosts.ts';
import { createTlsContexts, type LoadedCertificate, type TlsSelector } from '../tls/contexts.ts';
import { L4Target } from '../tcp/target.ts';

/** One TLS listener ready to serve. */
export interface TlsRouteListener {
  readonly name: string;
  readonly mode: 'Passthrough' | 'Terminate';
  /** Routes by SNI hostname; "" (no SNI) finds only a "*" route. */
  readonly routes: HostTable<L4Target>;
  /** Terminate: the loaded certificates (possibly empty when none could be loaded: handshakes then fail). */
  readonly certificates: readonly LoadedCertificate[];
  /** Terminate: the selector the certificates came from, reused by the next version. */
  readonly selector?: TlsSelector;
}

/** The compiled table of a TLS socket. */
export interface TlsRouteTable {
  readonly listeners: HostTable<TlsRouteListener>;
  /** Certificates that could not be loaded, for the log. */
  readonly errors: readonly string[];
}

/** Compiles a TLS socket; `previous` lets unchanged certificates be reused without re-parsing keys. */
export function compileTlsSocket(s: IRSocket, previous?: TlsRouteTable): TlsRouteTable {
  const listeners = new HostTable<TlsRouteListener>();
  const errors: string[] = [];
  const old = new Map((previous?.listeners.values() ?? []).map((l) => [l.name, l]));
  for (const l of s.l4Listeners ?? []) {
    const compiled = compileListener(s, l, old.get(l.name)?.selector);
    errors.push(...(compiled.selector?.errors ?? []));
    listeners.add(l.hostname, compiled);
  }
  return { listeners: listeners.seal(), errors };
}

function compileListener(s: IRSocket, l: IRL4Listener, previous: TlsSelector | undefined): TlsRouteListener {
  const routes = new HostTable<L4Target>();
  for (const r of l.routes) routes.add(r.hostname, new L4Target(r));
  routes.seal();
  if (l.tlsMode !== 'Terminate') return { name: l.name, mode: 'Passthrough', routes, certificates: [] };
  // A one-listener view of the socket: the listener was already chosen by SNI, only its certificates matter.
  const view: IRSocket = { ...s, httpListeners: [{ name: l.name, hostname: l.hostname, virtualHosts: [], tls: l.tls }] };
  const selector = createTlsContexts(view, { previous, alpn: [] });
  const certificates = selector.listeners.values()[0]?.certificates ?? [];
  return { name: l.name, mode: 'Terminate', routes, certificates, selector };
}
