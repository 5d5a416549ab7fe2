/**
 * Listener allowedRoutes: which route kinds a listener supports (allowedRoutes.kinds against the
 * kinds its protocol can carry) and which namespaces may attach routes (Same, All, Selector).
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import { matchesSelector } from '../api/labels.ts';
import type { Snapshot } from '../store/snapshot.ts';
import type { RouteGroupKind } from '../status/report.ts';

/** Route kinds each protocol can carry in this implementation (the default supportedKinds). */
export const PROTOCOL_ROUTE_KINDS: Readonly<Record<string, readonly string[]>> = {
  HTTP: ['HTTPRoute', 'GRPCRoute'],
  HTTPS: ['HTTPRoute', 'GRPCRoute'],
  TLS: ['TLSRoute'],
  TCP: ['TCPRoute'],
  UDP: ['UDPRoute'],
};

/** The outcome of checking allowedRoutes.kinds. */
export interface KindsResult {
  supported: RouteGroupKind[];
  /** Kinds asked for that this listener cannot carry ("group/Kind"). */
  invalid: string[];
}

/** supportedKinds of a listener: the requested kinds its protocol carries, or the protocol's defaults. */
export function resolveKinds(protocol: string, allowedRoutes: any): KindsResult {
  const carried = PROTOCOL_ROUTE_KINDS[protocol] ?? [];
  const requested: any[] | undefined = Array.isArray(allowedRoutes?.kinds) ? allowedRoutes.kinds : undefined;
  if (!requested) return { supported: carried.map((kind) => ({ group: GATEWAY_GROUP, kind })), invalid: [] };
  const supported: RouteGroupKind[] = [];
  const invalid: string[] = [];
  for (const k of requested) {
    const group = k?.group ?? GATEWAY_GROUP;
    const kind = String(k?.kind ?? '');
    if (group === GATEWAY_GROUP && carried.includes(kind)) {
      if (!supported.some((s) => s.kind === kind)) supported.push({ group, kind });
    } else {
      invalid.push(`${group}/${kind}`);
    }
  }
  return { supported, invalid };
}

/**
 * True when a route in `routeNamespace` may attach to a listener of a Gateway in
 * `gatewayNamespace`. Selector matches the Namespace object's labels plus the
 * `kubernetes.io/metadata.name` label Kubernetes puts on every namespace (so selectors written for a
 * cluster behave the same when the Namespace object is absent).
 */
export function namespaceAllowed(snap: Snapshot, allowedRoutes: any, gatewayNamespace: string, routeNamespace: string): boolean {
  const from = allowedRoutes?.namespaces?.from ?? 'Same';
  switch (from) {
    case 'All':
      return true;
    case 'Same':
      return routeNamespace === gatewayNamespace;
    case 'Selector': {
      const ns = snap.get('', 'Namespace', '', routeNamespace);
      const labels = { ...(ns?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': routeNamespace };
      // A Selector without a selector selects nothing: the field is required for this mode.
      const sel = allowedRoutes?.namespaces?.selector;
      return sel ? matchesSelector(sel, labels) : false;
    }
    default:
      return false;
  }
}
