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
import { hasClientCert, withClientCert } from './backendclientcert.ts';
import { compareHostnameSpecificity, hostnameCovers } from './hostnames.ts';
import { L4_PROTOCOLS, buildL4Sockets } from './l4ir.ts';
import type { CompiledRoute, GatewayState, ListenerState, RouteEntry } from './model.ts';
import { boundListeners } from './gatewayaddresses.ts';
import { comparePrecedence } from './precedence.ts';
import { exact } from './compact.ts';

/** One route entry with its route, as the precedence sort sees it. */
export interface Ranked {
  entry: RouteEntry;
  route: CompiledRoute;
}

/** What one listener's virtual hosts were built from last time (see ListenerMemo). */
export interface LastListener {
  /** Hostname → its route entries in attachment order, and the same sorted by precedence. */
  readonly groups: Map<string, { readonly raw: readonly Ranked[]; readonly sorted: Ranked[] }>;
  /** The hostnames, most specific first. */
  readonly hosts: readonly string[];
  readonly vhosts: ReadonlyMap<string, IRVirtualHost>;
}

/**
 * IR assembly between translations (an incremental translator's): per listener name, the sorted route
 * groups, the sorted hostnames and the virtual hosts of last time, reused where their inputs are the
 * same entries (by identity). A reused virtual host is the same object, so the data plane reuses what
 * it compiled for it. Output equals assembly from scratch.
 */
export class ListenerMemo {
  #last = new Map<string, LastListener>();
  #next = new Map<string, LastListener>();

  /** Called after each buildIR: listeners not built this time are forgotten. */
  rotate(): void {
    this.#last = this.#next;
    this.#next = new Map();
  }

  /** What the listener of this name was built from in the previous translation. */
  last(name: string): LastListener | undefined {
    return this.#last.get(name);
  }

  /** Records what the listener was built from in this translation (for the next one). */
  keep(name: string, l: LastListener): void {
    this.#next.set(name, l);
  }

  /** Replaces what the listener was built from, between two buildIR calls (an IR patched in place: irdelta.ts). */
  replace(name: string, l: LastListener): void {
    this.#last.set(name, l);
  }
}

/** Builds the IR of one translation (with a memo: reusing unchanged parts of the last one). */
export function buildIR(version: number, gateways: readonly GatewayState[], memo?: ListenerMemo): IR {
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
    httpListeners: s.listeners.map((l) => listenerIR(l, memo)).sort(
      (a, b) => compareHostnameSpecificity(a.hostname, b.hostname) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    ),
  }));
  out.push(...buildL4Sockets(gateways, new Set(out.map((s) => s.key))));
  out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
  memo?.rotate();
  return { version, sockets: out };
}

/** The IR name of a listener. */
export function listenerIRName(l: ListenerState): string {
  const gw = l.gateway.obj.metadata;
  // Listener names repeat across a Gateway and its ListenerSets: a set's listener is named through it.
  const owner = l.listenerSet ? `${gw.namespace ?? ''}/${gw.name}/ListenerSet/${l.listenerSet.key}` : `${gw.namespace ?? ''}/${gw.name}`;
  return `${owner}/${l.name}`;
}

function listenerIR(l: ListenerState, memo: ListenerMemo | undefined): IRHttpListener {
  const name = listenerIRName(l);
  const last = memo?.last(name);
  const raw = new Map<string, Ranked[]>();
  for (const a of l.routes) {
    for (const h of a.hostnames) {
      let g = raw.get(h);
      if (g === undefined) raw.set(h, (g = []));
      for (const entry of a.route.entries) g.push({ entry, route: a.route });
    }
  }
  const groups: LastListener['groups'] = new Map();
  for (const [h, g] of raw) {
    const prev = last?.groups.get(h);
    groups.set(h, prev !== undefined && sameEntries(prev.raw, g) ? prev : hostGroup(g));
  }
  const hosts = last !== undefined && sameKeys(last.groups, groups) ? last.hosts : [...groups.keys()].sort(compareHostnameSpecificity);
  // Without wildcard or any-host groups, every host is served by its own group alone.
  const wild = hasWildcards(hosts);
  const vhosts = new Map<string, IRVirtualHost>();
  const virtualHosts: IRVirtualHost[] = hosts.map((h) => {
    const v = virtualHost(l, h, groups, wild, last?.vhosts.get(h));
    vhosts.set(h, v);
    return v;
  });
  memo?.keep(name, { groups, hosts, vhosts });
  return httpListenerIR(l, name, virtualHosts);
}

/**
 * A hostname group of these entries (in attachment order). Most hostnames at scale have one route with
 * one entry: then the sorted list is the same array (neither is modified once made).
 */
export function hostGroup(raw: Ranked[]): { readonly raw: readonly Ranked[]; readonly sorted: Ranked[] } {
  const kept = exact(raw);
  return { raw: kept, sorted: kept.length <= 1 ? kept : [...kept].sort(byPrecedence) };
}

/** True when the sorted hostnames hold a wildcard or any-host one (they sort last). */
export function hasWildcards(hosts: readonly string[]): boolean {
  return hosts.length > 0 && hosts[hosts.length - 1].startsWith('*');
}

/** The IR listener of `l` with these virtual hosts. */
export function httpListenerIR(l: ListenerState, name: string, virtualHosts: IRVirtualHost[]): IRHttpListener {
  if (l.protocol !== 'HTTPS') return { name, hostname: l.hostname, virtualHosts };
  const clientValidation = l.clientValidation;
  return { name, hostname: l.hostname, virtualHosts, tls: { certificates: l.certificates ?? [], ...(clientValidation && { clientValidation }) } };
}

/** The virtual host `h` of listener `l` (`prev` itself when its routes are the same objects). */
export function virtualHost(l: ListenerState, h: string, groups: LastListener['groups'], wild: boolean, prev: IRVirtualHost | undefined): IRVirtualHost {
  const cert = hasClientCert(l.gateway);
  const routes: IRRoute[] = [];
  const covering = wild ? coveringHosts(h, groups) : [h];
  const seen = covering.length > 1 ? new Set<string>() : undefined; // one group never repeats an entry
  for (const outer of covering) {
    for (const r of groups.get(outer)!.sorted) {
      if (seen !== undefined) {
        if (seen.has(r.entry.id)) continue;
        seen.add(r.entry.id);
      }
      routes.push(cert ? withClientCert(routeIR(r.entry), l.gateway) : routeIR(r.entry)); // the Gateway's backend client certificate
    }
  }
  return prev !== undefined && sameList(prev.routes, routes) ? prev : { hostname: h, routes: exact(routes) };
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

function sameEntries(a: readonly Ranked[], b: readonly Ranked[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].entry !== b[i].entry || a[i].route !== b[i].route) return false;
  return true;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameKeys(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const k of b.keys()) if (!a.has(k)) return false;
  return true;
}

/** Route entries in precedence order (the sort of each hostname group). */
export function byPrecedence(a: Ranked, b: Ranked): number {
  return comparePrecedence(
    { match: a.entry.match, created: a.route.creationTimestamp, route: `${a.route.kind}/${a.route.key}`, ruleIndex: a.entry.ruleIndex, matchIndex: a.entry.matchIndex },
    { match: b.entry.match, created: b.route.creationTimestamp, route: `${b.route.kind}/${b.route.key}`, ruleIndex: b.entry.ruleIndex, matchIndex: b.entry.matchIndex },
  );
}

/**
 * The IR route of an entry, made once: an entry reused by the memo yields the very same IR route, which
 * lets the data plane reuse what it compiled from it. Entries are otherwise immutable: a pure cache.
 */
function routeIR(e: RouteEntry): IRRoute {
  return (e.ir ??= newRouteIR(e));
}

function newRouteIR(e: RouteEntry): IRRoute {
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
