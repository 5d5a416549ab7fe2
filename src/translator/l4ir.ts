/**
 * IR assembly for TLS, TCP and UDP listeners: one socket per (gateway address, port, transport), its
 * listeners (TLS: most specific hostname first, chosen by SNI), and per listener the routes that get
 * traffic.
 *
 * Several routes may attach to one listener, and all of them are Accepted, but a connection can go to
 * only one: TCP and UDP connections carry nothing to choose by, and a TLS connection carries one SNI.
 * Per the route precedence rules the oldest route (creationTimestamp, then namespace/name) wins: for a
 * TCP or UDP listener the oldest route takes the whole listener; for a TLS listener the oldest route
 * naming a hostname takes that hostname.
 */
import type { IRL4Listener, IRL4Route, IRProtocol, IRSocket } from '../ir/types.ts';
import { l4BackendsFor } from './backendclientcert.ts';
import { compareHostnameSpecificity } from './hostnames.ts';
import type { Attachment, GatewayState, ListenerState } from './model.ts';
import { boundListeners } from './gatewayaddresses.ts';
import { compareCreated } from './precedence.ts';

/** Listener protocols served as L4 sockets. */
export const L4_PROTOCOLS: ReadonlySet<string> = new Set(['TLS', 'TCP', 'UDP']);

/** The IR socket key of a listener's socket: UDP gets its own key space, since TCP and UDP may share a port. */
export function socketKey(address: string, port: number, protocol: string): string {
  return protocol === 'UDP' ? `${address}:${port}/udp` : `${address}:${port}`;
}

interface Draft {
  address: string;
  port: number;
  protocol: IRProtocol;
  gateway: string;
  listeners: IRL4Listener[];
}

/**
 * The L4 sockets of the servable TLS/TCP/UDP listeners. `taken` holds keys already used by HTTP(S)
 * sockets: Gateways sharing an address cannot also share a port across protocols, the first keeps it.
 */
export function buildL4Sockets(gateways: readonly GatewayState[], taken: ReadonlySet<string>): IRSocket[] {
  const drafts = new Map<string, Draft>();
  for (const gw of gateways) {
    for (const { address, listener: l } of boundListeners(gw)) {
      if (!l.servable || !L4_PROTOCOLS.has(l.protocol)) continue;
      const key = socketKey(address, l.port, l.protocol);
      if (taken.has(key)) continue;
      const d = drafts.get(key) ?? { address, port: l.port, protocol: l.protocol as IRProtocol, gateway: gw.key, listeners: [] };
      if (d.protocol !== l.protocol) continue;
      // TCP and UDP listeners have no hostname to tell two apart: the first Gateway (by name) keeps the port.
      if (l.protocol !== 'TLS' && d.listeners.length > 0) continue;
      d.listeners.push(listenerL4(l));
      drafts.set(key, d);
    }
  }
  return [...drafts.entries()].map(([key, d]) => ({
    key,
    address: d.address,
    port: d.port,
    protocol: d.protocol,
    gateway: d.gateway,
    httpListeners: [],
    l4Listeners: d.listeners.sort((a, b) => compareHostnameSpecificity(a.hostname, b.hostname) || cmp(a.name, b.name)),
  }));
}

function listenerL4(l: ListenerState): IRL4Listener {
  const owner = (l.listenerSet?.obj ?? l.gateway.obj).metadata;
  const name = `${owner.namespace ?? ''}/${owner.name}/${l.name}`;
  const attached = [...l.routes].sort(oldestFirst);
  if (l.protocol !== 'TLS') {
    const first = attached[0];
    return { name, hostname: '', routes: first ? [routeL4(first, '*', l.gateway)] : [] };
  }
  const byHost = new Map<string, IRL4Route>();
  for (const a of attached) {
    for (const h of a.hostnames) if (!byHost.has(h)) byHost.set(h, routeL4(a, h, l.gateway));
  }
  const routes = [...byHost.values()].sort((a, b) => compareHostnameSpecificity(a.hostname, b.hostname));
  const mode = l.spec?.tls?.mode === 'Passthrough' ? 'Passthrough' : 'Terminate';
  if (mode === 'Passthrough') return { name, hostname: l.hostname, tlsMode: mode, routes };
  return { name, hostname: l.hostname, tlsMode: mode, tls: { certificates: l.certificates ?? [] }, routes };
}

function routeL4(a: Attachment, hostname: string, gw: GatewayState): IRL4Route {
  return { id: `${a.route.kind}/${a.route.key}`, hostname, backends: l4BackendsFor(a.route.l4Backends ?? [], gw) };
}

function oldestFirst(a: Attachment, b: Attachment): number {
  return compareCreated(a.route.creationTimestamp, b.route.creationTimestamp) || cmp(`${a.route.kind}/${a.route.key}`, `${b.route.kind}/${b.route.key}`);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
