/**
 * Route parents: what a route's parentRef can name. A Gateway is the parent of its own
 * spec.listeners only; a ListenerSet is the parent of the listeners it declares (GEP-1713: a
 * parentRef to a Gateway never reaches the listeners of its ListenerSets, even by sectionName).
 * Every route pass resolves parentRefs through here so ListenerSets work for every route kind.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { GatewayState, ListenerState } from './model.ts';

/** A Gateway or a ListenerSet of ours, as a route's parentRef sees it. */
export interface RouteParent {
  /** The Gateway or ListenerSet object (its kind goes into messages). */
  readonly obj: K8sObject;
  /** "namespace/name". */
  readonly key: string;
  /** The listeners a parentRef without sectionName/port selects. */
  readonly listeners: readonly ListenerState[];
  /** Set when the parent takes no routes (a ListenerSet its Gateway refused): the reason. */
  readonly refused?: string;
}

/** Parent kinds a route may name, by Kind. */
const PARENT_KINDS = new Set(['Gateway', 'ListenerSet']);

/** Our Gateways and the ListenerSets attached to them (accepted or not), keyed "Kind/namespace/name". */
export function routeParentIndex(gateways: readonly GatewayState[]): Map<string, RouteParent> {
  const out = new Map<string, RouteParent>();
  for (const gw of gateways) {
    out.set(`Gateway/${gw.key}`, gw);
    for (const ls of gw.listenerSets ?? []) out.set(`ListenerSet/${ls.key}`, ls);
  }
  return out;
}

/** The parent of ours a parentRef names, if any (group/kind default to Gateway, namespace to the route's). */
export function parentOf(route: K8sObject, ref: any, index: ReadonlyMap<string, RouteParent>): RouteParent | undefined {
  const kind = String(ref?.kind ?? 'Gateway');
  if ((ref?.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || !PARENT_KINDS.has(kind)) return undefined;
  return index.get(`${kind}/${ref?.namespace ?? route.metadata.namespace ?? ''}/${ref?.name}`);
}

/**
 * Every listener served on the Gateway's address: its own, then those of its ListenerSets in
 * precedence order. For the IR and anything that looks at ports, not for route attachment.
 */
export function everyListener(gw: GatewayState): ListenerState[] {
  const out = [...gw.listeners];
  for (const ls of gw.listenerSets ?? []) out.push(...ls.listeners);
  return out;
}
