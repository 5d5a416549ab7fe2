/**
 * Which changes the incremental translator's patch (delta.ts) can absorb, and what each asks of it:
 * HTTPRoutes and GRPCRoutes to process again (changed ones, and those whose compilation looked up a
 * changed Service, EndpointSlice or Endpoints, found through the memo's reverse index), and objects whose
 * status alone changed (ours or another writer's) whose status must be produced from their new version.
 * A Secret or ConfigMap the kept world never read asks for nothing (reads.ts), nor does a Namespace when no
 * listener selects namespaces by label; a ReferenceGrant asks for the routes that checked grants across
 * namespaces, unless a Gateway or ListenerSet did too.
 */
import { isDeepStrictEqual } from 'node:util';
import { GATEWAY_GROUP, ROUTE_KINDS } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { Snapshot } from '../store/snapshot.ts';
import { SERVICE_NAME_LABEL } from './backends.ts';
import type { World } from './delta.ts';
import type { TranslatorMemo } from './memo.ts';
import type { ChangeSet } from './types.ts';

/** A changed key, split ("group/Kind/namespace/name"). */
export interface Changed {
  readonly key: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The route kinds a patch handles (a listener may hold routes of one of them at a time: delta.ts). */
export const PATCHED_KINDS: ReadonlySet<string> = new Set(['HTTPRoute', 'GRPCRoute']);

/** The key under which the memo indexes the routes that checked ReferenceGrants (deps.ts, recordingCtx). */
const GRANTS = `${GATEWAY_GROUP}/ReferenceGrant`;

/** Kinds whose status-only (or label and annotation) changes the world absorbs: the translator reads their spec, name and generation. */
const STATUS_ONLY_KINDS = new Set(['Gateway', 'GatewayClass', 'ListenerSet']);

/** What a change set asks of a patch: routes to redo, objects whose status alone changed. Undefined: not patchable. */
export function classify(world: World, snap: Snapshot, changes: ChangeSet, memo: TranslatorMemo): { routes: Changed[]; refreshed: Changed[] } | undefined {
  const refreshed: Changed[] = [];
  const statusOnlyChange = (c: Changed) => STATUS_ONLY_KINDS.has(c.kind) && statusOnly(world.snap.get(c.group, c.kind, c.namespace, c.name), snap.get(c.group, c.kind, c.namespace, c.name));
  for (const key of changes.ownStatus ?? []) {
    // A route's status is read only to compute its status again: the one just written is what this
    // world would compute, so there is nothing to redo. (Routes are reprocessed with fresh objects.)
    // (The controller leaves them out; checked on the key's text for any other caller.)
    if (isRouteKey(key) || changes.keys.has(key)) continue;
    const c = splitKey(key);
    if (c === undefined) return undefined;
    if (!statusOnlyChange(c)) return undefined;
    refreshed.push(c);
  }
  const routeKeys = new Set<string>();
  for (const key of changes.keys) {
    const c = splitKey(key);
    if (c === undefined) return undefined;
    if (c.group === GATEWAY_GROUP && PATCHED_KINDS.has(c.kind)) routeKeys.add(key);
    else if (isBackendKind(c)) {
      // Read only by route compilation: redo the routes that looked it up (their memo entries then fail
      // validation and compile again).
      for (const r of backendReaders(c, world.snap, snap, memo)) {
        if (!PATCHED_KINDS.has(r.slice(0, r.indexOf('/')))) return undefined; // a layer-4 route uses it
        routeKeys.add(`${GATEWAY_GROUP}/${r}`);
      }
    } else if (statusOnlyChange(c)) refreshed.push(c);
    else if (c.group === GATEWAY_GROUP && c.kind === 'ReferenceGrant') {
      // Routes record that they checked grants across namespaces: redo those (a Gateway's checks are not kept).
      if (world.grantsBeyondRoutes) return undefined;
      for (const r of memo.readersOf(GRANTS) ?? []) {
        if (!PATCHED_KINDS.has(r.slice(0, r.indexOf('/')))) return undefined; // a layer-4 route checked one
        routeKeys.add(`${GATEWAY_GROUP}/${r}`);
      }
    } else if (c.group === '' && c.kind === 'Namespace') {
      if (world.selectsNamespaces) return undefined; // its labels may decide what attaches where
    } else if (!world.reads.unread(c.group, c.kind, c.namespace, c.name)) return undefined; // else: nothing read it
  }
  return { routes: [...routeKeys].map((k) => splitKey(k)!), refreshed };
}

/** True for "gateway.networking.k8s.io/<route kind>/namespace/name", without splitting it. */
function isRouteKey(key: string): boolean {
  if (!key.startsWith(GATEWAY_PREFIX)) return false;
  const end = key.indexOf('/', GATEWAY_PREFIX.length);
  return end > 0 && ROUTE_KINDS.has(key.slice(GATEWAY_PREFIX.length, end));
}
const GATEWAY_PREFIX = `${GATEWAY_GROUP}/`;

/** Splits "group/Kind/namespace/name". */
export function splitKey(key: string): Changed | undefined {
  const parts = key.split('/');
  if (parts.length !== 4) return undefined;
  return { key, group: parts[0], kind: parts[1], namespace: parts[2], name: parts[3] };
}

/** Services, EndpointSlices, Endpoints: what backendRefs resolve through (nothing but route compilation reads them). */
function isBackendKind(c: Changed): boolean {
  return (c.group === '' && (c.kind === 'Service' || c.kind === 'Endpoints')) || (c.group === 'discovery.k8s.io' && c.kind === 'EndpointSlice');
}

/**
 * The routes whose compilation looked up a changed Service, or the Service of a changed EndpointSlice
 * (before or after the change: the slice may have moved). Endpoints are read only for a Service found.
 */
function backendReaders(c: Changed, before: Snapshot, after: Snapshot, memo: TranslatorMemo): string[] {
  if (c.kind !== 'EndpointSlice') return [...(memo.readersOf(c.key) ?? [])]; // looked up by name
  const services = new Set<string>();
  for (const obj of [before.get(c.group, c.kind, c.namespace, c.name), after.get(c.group, c.kind, c.namespace, c.name)]) {
    const svc = obj?.metadata.labels?.[SERVICE_NAME_LABEL];
    if (typeof svc === 'string') services.add(svc);
  }
  return [...services].flatMap((svc) => [...(memo.readersOf(`/Service/${c.namespace}/${svc}`) ?? [])]);
}

/**
 * True when two versions of a Gateway, GatewayClass or ListenerSet differ only in what translation does not
 * read: status, resourceVersion, labels and annotations (the translator reads the labels of Namespaces and
 * EndpointSlices only). Editing annotations on a Gateway at 5,000 routes then costs a pointer update, not a
 * translation from scratch.
 */
function statusOnly(before: K8sObject | undefined, after: K8sObject | undefined): boolean {
  if (before === undefined || after === undefined) return false;
  if (before === after) return true;
  const a = before.metadata;
  const b = after.metadata;
  if (a.generation !== b.generation || a.uid !== b.uid || a.creationTimestamp !== b.creationTimestamp || a.deletionTimestamp !== b.deletionTimestamp) return false;
  return before.spec === after.spec || isDeepStrictEqual(before.spec, after.spec);
}
