/**
 * IR assembly: sockets (gateway address × port) of servable HTTP and HTTPS listeners, listeners most
 * specific hostname first (HTTPS ones with their certificates), one virtual host per effective
 * hostname, routes in precedence order.
 *
 * A virtual host's route list also carries, after its own routes, the routes of every less specific
 * hostname that covers it ("*.example.com", then "*"), so that a request for a.example.com that no
 * a.example.com route matches still reaches a wildcard route: hostname specificity is the first
 * precedence criterion, not a wall.
 */
import type { IR, IRHttpListener, IRProtocol, IRRoute, IRSocket, IRVirtualHost } from '../ir/types.ts';
import { withClientCert } from './backendclientcert.ts';
import { compareHostnameSpecificity, hostnameCovers } from './hostnames.ts';
import { L4_PROTOCOLS, buildL4Sockets } from './l4ir.ts';
import type { CompiledRoute, GatewayState, ListenerState, RouteEntry } from './model.ts';
import { boundListeners } from './gatewayaddresses.ts';
import { comparePrecedence } from './precedence.ts';

interface Ranked {
  entry: RouteEntry;
  route: CompiledRoute;
}

/** Builds the IR of one translation. */
export function buildIR(version: number, gateways: readonly GatewayState[]): IR {
  const sockets = new Map<string, { address: string; port: number; protocol: IRProtocol; gateway: string; listeners: ListenerState[] }>();
  for (const gw of gateways) {
    for (const { address, listener: l } of boundListeners(gw)) {
      if (!l.servable || L4_PROTOCOLS.has(l.protocol)) continue; // TLS/TCP/UDP: l4ir.ts
      const key = `${address}:${l.port}`;
      // Gateways that share an address (both requested it) share its sockets. Within a Gateway the
      // conflict rules keep one protocol per port; across Gateways the first (by name) keeps the port.
      const s = sockets.get(key) ?? { address, port: l.port, protocol: l.protocol as IRProtocol, gateway: gw.key, listeners: [] };
      if (s.protocol !== l.protocol) continue;
      s.listeners.push(l);
      sockets.set(key, s);
    }
  }
  const out: IRSocket[] = [...sockets.entries()].map(([key, s]) => ({
    key,
    address: s.address,
    port: s.port,
    protocol: s.protocol,
    gateway: s.gateway,
    httpListeners: s.listeners.map(listenerIR).sort(
      (a, b) => compareHostnameSpecificity(a.hostname, b.hostname) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    ),
  }));
  out.push(...buildL4Sockets(gateways, new Set(out.map((s) => s.key))));
  out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  return { version, sockets: out };
}

function listenerIR(l: ListenerState): IRHttpListener {
  const gw = l.gateway.obj.metadata;
  const groups = new Map<string, Ranked[]>();
  for (const a of l.routes) {
    for (const h of a.hostnames) {
      const g = groups.get(h) ?? [];
      for (const entry of a.route.entries) g.push({ entry, route: a.route });
      groups.set(h, g);
    }
  }
  for (const g of groups.values()) g.sort(byPrecedence);
  const hosts = [...groups.keys()].sort(compareHostnameSpecificity);
  const virtualHosts: IRVirtualHost[] = hosts.map((h) => {
    const routes: IRRoute[] = [];
    const seen = new Set<string>();
    for (const outer of coveringHosts(h, groups)) {
      for (const r of groups.get(outer)!) {
        if (seen.has(r.entry.id)) continue;
        seen.add(r.entry.id);
        routes.push(withClientCert(routeIR(r.entry), l.gateway)); // the Gateway's backend client certificate
      }
    }
    return { hostname: h, routes };
  });
  // Listener names repeat across a Gateway and its ListenerSets: a set's listener is named through it.
  const owner = l.listenerSet ? `${gw.namespace ?? ''}/${gw.name}/ListenerSet/${l.listenerSet.key}` : `${gw.namespace ?? ''}/${gw.name}`;
  const name = `${owner}/${l.name}`;
  if (l.protocol !== 'HTTPS') return { name, hostname: l.hostname, virtualHosts };
  const clientValidation = l.clientValidation;
  return { name, hostname: l.hostname, virtualHosts, tls: { certificates: l.certificates ?? [], ...(clientValidation && { clientValidation }) } };
}

/**
 * The hostnames among `groups` whose routes may serve `h` (itself, the wildcards above it, "*"),
 * most specific first. Generated from h's own labels rather than by testing every hostname, which
 * made a listener with thousands of hostnames quadratic.
 */
function coveringHosts(h: string, groups: ReadonlyMap<string, unknown>): string[] {
  const out = [h];
  for (let i = h.indexOf('.'); i >= 0; i = h.indexOf('.', i + 1)) {
    const wild = '*' + h.slice(i);
    if (wild !== h && groups.has(wild) && hostnameCovers(wild, h)) out.push(wild);
  }
  if (h !== '*' && groups.has('*')) out.push('*');
  return out.sort(compareHostnameSpecificity);
}

function byPrecedence(a: Ranked, b: Ranked): number {
  return comparePrecedence(
    { match: a.entry.match, created: a.route.creationTimestamp, route: `${a.route.kind}/${a.route.key}`, ruleIndex: a.entry.ruleIndex, matchIndex: a.entry.matchIndex },
    { match: b.entry.match, created: b.route.creationTimestamp, route: `${b.route.kind}/${b.route.key}`, ruleIndex: b.entry.ruleIndex, matchIndex: b.entry.matchIndex },
  );
}

function routeIR(e: RouteEntry): IRRoute {
  return {
    id: e.id,
    ...(e.ruleName !== undefined && { ruleName: e.ruleName }),
    match: e.match,
    filters: e.filters,
    backends: e.backends,
    ...(e.timeouts && { timeouts: e.timeouts }),
    ...(e.retry && { retry: e.retry }),
    ...(e.grpc && { grpc: e.grpc }),
  };
}
