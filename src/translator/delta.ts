/**
 * The incremental translator's fast path: a translation that visits only what changed. After every
 * translation with a memo, the world it built is kept (Gateways and listeners with their attached
 * routes, the status report, the IR, where each route attached). When the store reports changes this
 * path can absorb (changeset.ts: HTTPRoutes and GRPCRoutes, the Services/EndpointSlices they use, status-only
 * writes to Gateways, GatewayClasses and ListenerSets, Secrets and ConfigMaps nothing read, Namespaces when no
 * listener selects by label, ReferenceGrants when only routes cross namespaces), the kept world is patched:
 *
 *   - each affected route is detached from the listeners it was on and processed again (compiled
 *     through the memo, attached, reported), its attachments put back in name order;
 *   - attachedRoutes of the listeners touched are adjusted, their IR listener rebuilt only for the
 *     hostnames touched (irdelta.ts); every other socket and listener keeps its identity;
 *   - statuses are produced only for the objects whose status may have changed: the routes redone,
 *     the Gateways/ListenerSets whose attachedRoutes changed, the status-only changed objects.
 *
 * Anything else (a Gateway spec, a Namespace a selector may read, a ReferenceGrant a Gateway may need, a
 * BackendTLSPolicy in the world, a route on a listener with routes of both kinds, where cross serving
 * decides, or on a layer-4 listener) returns undefined and the caller translates the whole snapshot. incremental.test.ts checks the result equals translation
 * from scratch after random changes.
 */
import { isDeepStrictEqual } from 'node:util';
import { GATEWAY_GROUP } from '../api/kinds.ts';
import { keyOf, keyString, type K8sObject } from '../api/object.ts';
import type { IR, IRHttpListener, IRSocket } from '../ir/types.ts';
import { listenerSetStatus } from '../status/listenerset.ts';
import type { StatusReport } from '../status/report.ts';
import { classStatus, gatewayStatus, routeStatus } from '../status/updates.ts';
import type { Snapshot } from '../store/snapshot.ts';
import { classify, PATCHED_KINDS, type Changed } from './changeset.ts';
import { forgetAttachment, processRoute } from './httproute.ts';
import { patchListenerIR } from './irdelta.ts';
import { L4_PROTOCOLS } from './l4ir.ts';
import { listenerIRName } from './ir.ts';
import type { TranslatorMemo } from './memo.ts';
import type { Attachment, CompiledRoute, Ctx, GatewayState, ListenerState } from './model.ts';
import { everyListener, parentOf, routeParentIndex, type RouteParent } from './parents.ts';
import { compileRoute, type CompileResult } from './routerules.ts';
import { compileGRPCRoute } from './grpcroute.ts';
import type { ReadRecorder } from './reads.ts';
import { ReferenceGrants } from './referencegrant.ts';
import type { ChangeSet, StatusUpdate, TranslateEnv, TranslateResult } from './types.ts';

/** What happened to one listener in a patch. */
interface Touched {
  /** Routes detached from it. */
  readonly removed: Set<CompiledRoute>;
  /** Attachments made to it. */
  readonly added: Attachment[];
  /** Every hostname of those detached and attached. */
  readonly hosts: Set<string>;
  /** attachedRoutes before the patch. */
  readonly count: number;
}

/** One attachment of a route, with the listener it is on. */
interface Placement {
  readonly l: ListenerState;
  readonly a: Attachment;
}

/** What the last translation built, kept for the next one to patch. */
export interface World {
  snap: Snapshot;
  readonly controllerName: string;
  readonly bindErrors: ReadonlyMap<string, string>;
  readonly gateways: readonly GatewayState[];
  readonly report: StatusReport;
  readonly parents: ReadonlyMap<string, RouteParent>;
  /** parentsSignature() of the parents (unchanged while the world is patched). */
  readonly sig: string;
  /**
   * "Kind/namespace/name" of an HTTPRoute or GRPCRoute → where that route is attached: one placement as
   * itself, several as a list (most routes attach once; this is kept for every route).
   */
  readonly placed: Map<string, Placement | Placement[]>;
  /** Layer-4 listeners, and those with routes of both HTTP kinds attached (cross serving): not patched. */
  readonly foreign: ReadonlySet<ListenerState>;
  /** How many routes of each patched kind every other listener has (a patch must not mix kinds on one). */
  readonly kinds: Map<ListenerState, KindCount>;
  /** The world holds BackendTLSPolicies (their ancestors depend on every route's backends): not patched. */
  readonly policies: boolean;
  /** The Secrets and ConfigMaps the translation read (Gateways read them; a patch never does). */
  readonly reads: ReadRecorder;
  /** A Gateway or ListenerSet reference crossed namespaces: ReferenceGrants matter beyond the routes. */
  readonly grantsBeyondRoutes: boolean;
  /** Some listener (or Gateway, for ListenerSets) admits namespaces by label: Namespace labels matter. */
  readonly selectsNamespaces: boolean;
  ir: IR;
}

/** Routes of each patched kind attached to one listener. */
interface KindCount {
  HTTPRoute: number;
  GRPCRoute: number;
}

/**
 * Listeners a patch must not touch: layer-4 ones, and those with routes of both HTTPRoute and GRPCRoute
 * attached, whose hostnames cross serving shares out. Called before cross serving detaches the losers (a
 * GRPCRoute that lost still depends on which HTTPRoutes are there).
 */
export function foreignListeners(gateways: readonly GatewayState[]): Set<ListenerState> {
  const out = new Set<ListenerState>();
  for (const gw of gateways) {
    for (const l of everyListener(gw)) {
      if (L4_PROTOCOLS.has(l.protocol)) out.add(l);
      else {
        const n = countKinds(l);
        if (n.HTTPRoute > 0 && n.GRPCRoute > 0) out.add(l);
      }
    }
  }
  return out;
}

function countKinds(l: ListenerState): KindCount {
  const n: KindCount = { HTTPRoute: 0, GRPCRoute: 0 };
  for (const a of l.routes) if (a.route.kind === 'HTTPRoute' || a.route.kind === 'GRPCRoute') n[a.route.kind]++;
  return n;
}

/** Records the world a translation built (after the full pipeline ran; `foreign` from foreignListeners). */
export function captureWorld(ctx: Ctx, gateways: readonly GatewayState[], sig: string, ir: IR, foreign: ReadonlySet<ListenerState>, reads: ReadRecorder, grantsBeyondRoutes: boolean): World {
  const placed = new Map<string, Placement | Placement[]>();
  const kinds = new Map<ListenerState, KindCount>();
  for (const gw of gateways) {
    for (const l of everyListener(gw)) {
      // Placements on foreign listeners are recorded too: a patch that finds one there gives up.
      if (!foreign.has(l)) kinds.set(l, countKinds(l));
      for (const a of l.routes) {
        if (!PATCHED_KINDS.has(a.route.kind)) continue;
        const k = `${a.route.kind}/${a.route.key}`;
        const had = placed.get(k);
        placed.set(k, had === undefined ? { l, a } : Array.isArray(had) ? [...had, { l, a }] : [had, { l, a }]);
      }
    }
  }
  return {
    snap: ctx.snap,
    controllerName: ctx.env.controllerName,
    bindErrors: ctx.env.bindErrors,
    gateways,
    report: ctx.report,
    parents: routeParentIndex(gateways),
    sig,
    placed,
    foreign,
    kinds,
    policies: ctx.snap.list(GATEWAY_GROUP, 'BackendTLSPolicy').length > 0,
    reads,
    grantsBeyondRoutes,
    selectsNamespaces: gateways.some((gw) => gw.obj.spec?.allowedListeners?.namespaces?.from === 'Selector' || everyListener(gw).some((l) => l.spec?.allowedRoutes?.namespaces?.from === 'Selector')),
    ir,
  };
}

/**
 * Patches `world` into the translation of `snap`, or returns undefined when the change is not one
 * this path handles (the world is then stale: the caller must translate from scratch and capture anew).
 */
export function translateDelta(world: World, snap: Snapshot, env: TranslateEnv, changes: ChangeSet, memo: TranslatorMemo): TranslateResult | undefined {
  if (world.policies || env.controllerName !== world.controllerName || !isDeepStrictEqual(env.bindErrors, world.bindErrors)) return undefined;
  const work = classify(world, snap, changes, memo);
  if (work === undefined) return undefined;
  const statusKeys = new Set<string>();
  const touched = patchRoutes(world, { snap, env, report: world.report, grants: new ReferenceGrants(snap), memo }, work.routes, statusKeys);
  if (touched === undefined) return undefined;
  for (const c of work.refreshed) refresh(world, snap, c, statusKeys);
  for (const [l, t] of touched) if (l.report.attachedRoutes !== t.count) statusKeys.add(ownerKey(l)); // the listener's status
  const ir = patchIR(world, env.version, touched, memo);
  if (ir === undefined) return undefined;
  world.ir = ir;
  world.snap = snap;
  return { ir, statuses: statusesOf(world.report, statusKeys, env, memo), partial: true, gateways: world.gateways.map((g) => g.key) };
}

/**
 * Detaches each changed route, processes it again and attaches it where it now belongs (reporting
 * into world.report, adding the keys of statuses to produce); the listeners touched, or undefined
 * when a route meets a listener a patch must not touch.
 */
function patchRoutes(world: World, ctx: Ctx, routes: readonly Changed[], statusKeys: Set<string>): Map<ListenerState, Touched> | undefined {
  const touched = new Map<ListenerState, Touched>();
  // `attached`: the listener was just attached to (first touched after its count went up by one).
  const touch = (l: ListenerState, attached = false) => {
    let t = touched.get(l);
    if (t === undefined) touched.set(l, (t = { removed: new Set(), added: [], hosts: new Set(), count: l.report.attachedRoutes - (attached ? 1 : 0) }));
    return t;
  };
  for (const c of routes) {
    const kind = c.kind as keyof KindCount;
    const rk = `${kind}/${c.namespace}/${c.name}`; // the memo's and `placed`'s key
    const had = world.placed.get(rk);
    const old = had === undefined ? [] : Array.isArray(had) ? had : [had];
    if (old.some((p) => world.foreign.has(p.l))) return undefined;
    for (const { l, a } of old) {
      detach(l, a, touch(l));
      world.kinds.get(l)![kind]--;
    }
    world.placed.delete(rk);
    world.report.routes.delete(c.key);
    const obj = ctx.snap.get(c.group, c.kind, c.namespace, c.name);
    if (obj === undefined) ctx.memo!.forget(rk);
    const compiled = obj && processRoute(ctx, obj, world.parents, () => world.sig, kind === 'GRPCRoute' ? compileGRPCRoute : compileRoute);
    if (world.report.routes.has(c.key)) statusKeys.add(c.key);
    if (compiled === undefined) continue;
    const now = attachedNow(ctx.memo!, compiled, obj!, world.parents);
    // A route joining a listener that holds the other kind would need cross serving: not a patch.
    if (now.some((p) => world.foreign.has(p.l) || world.kinds.get(p.l)![kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute'] > 0)) return undefined;
    for (const p of now) {
      place(p, touch(p.l, true));
      world.kinds.get(p.l)![kind]++;
    }
    if (now.length > 0) world.placed.set(rk, now.length === 1 ? now[0] : now);
  }
  return touched;
}

/** Takes attachment `a` off listener `l`. */
function detach(l: ListenerState, a: Attachment, t: { removed: Set<CompiledRoute>; hosts: Set<string> }): void {
  const i = l.routes.indexOf(a);
  if (i >= 0) l.routes.splice(i, 1);
  l.report.attachedRoutes--;
  forgetAttachment(l, a.route);
  t.removed.add(a.route);
  for (const h of a.hostnames) t.hosts.add(h);
}

/**
 * Where processRoute just attached `compiled` (it appended to the listeners' route lists); each such
 * attachment is moved to its place in name order, which is where translation from scratch puts it.
 */
function attachedNow(memo: TranslatorMemo, compiled: CompileResult, obj: K8sObject, parents: ReadonlyMap<string, RouteParent>): Placement[] {
  const out: Placement[] = [];
  const outcome = memo.attachments.get(compiled);
  if (outcome === undefined) return out;
  const refs: unknown[] = Array.isArray(obj.spec?.parentRefs) ? obj.spec.parentRefs : [];
  const ours = refs.map((ref) => parentOf(obj, ref, parents)).filter((p) => p !== undefined);
  const route = compiled.route;
  for (const at of outcome.attached) {
    const l = ours[at.parent]?.listeners[at.listener];
    const last = l?.routes[l.routes.length - 1];
    if (l === undefined || last === undefined || last.route !== route) continue;
    l.routes.pop();
    l.routes.splice(insertionIndex(l.routes, route.key), 0, last);
    out.push({ l, a: last });
  }
  return out;
}

/** The index in a name-ordered attachment list where a route with key `key` goes. */
function insertionIndex(list: readonly Attachment[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].route.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function place(p: Placement, t: { added: Attachment[]; hosts: Set<string> }): void {
  t.added.push(p.a);
  for (const h of p.a.hostnames) t.hosts.add(h);
}

/** The status key of the object whose status lists listener `l`. */
function ownerKey(l: ListenerState): string {
  return keyString(keyOf(l.listenerSet ? l.listenerSet.obj : l.gateway.obj));
}

/** Points the report at the new version of an object whose status alone changed. */
function refresh(world: World, snap: Snapshot, c: Changed, statusKeys: Set<string>): void {
  const obj = snap.get(c.group, c.kind, c.namespace, c.name)!;
  const r = world.report.gateways.get(c.key) ?? world.report.classes.get(c.key) ?? world.report.listenerSets.get(c.key);
  if (r === undefined) return;
  r.obj = obj;
  statusKeys.add(c.key);
}

/** The IR with the touched listeners rebuilt, every other socket and listener kept as they were. */
function patchIR(world: World, version: number, touched: ReadonlyMap<ListenerState, Touched>, memo: TranslatorMemo): IR | undefined {
  const byName = new Map<string, IRHttpListener>();
  for (const [l, t] of touched) {
    if (!l.servable) continue;
    const name = listenerIRName(l);
    const prev = irListener(world.ir, name);
    if (prev === undefined) continue; // not served (its socket went to another protocol): as from scratch
    const patched = patchListenerIR(l, prev, memo.listeners, t.removed, t.added, t.hosts);
    if (patched === undefined) return undefined;
    byName.set(name, patched);
  }
  const sockets: IRSocket[] = world.ir.sockets.map((s) => {
    if (!s.httpListeners.some((x) => byName.has(x.name))) return s;
    return { ...s, httpListeners: s.httpListeners.map((x) => byName.get(x.name) ?? x) };
  });
  return { version, sockets };
}

function irListener(ir: IR, name: string): IRHttpListener | undefined {
  for (const s of ir.sockets) for (const x of s.httpListeners) if (x.name === name) return x;
  return undefined;
}

/** The status updates of the given keys, sorted by key. */
function statusesOf(report: StatusReport, keys: ReadonlySet<string>, env: TranslateEnv, memo: TranslatorMemo): StatusUpdate[] {
  const out: StatusUpdate[] = [];
  for (const k of [...keys].sort()) {
    const route = report.routes.get(k);
    if (route !== undefined) out.push(memo.statuses.update(route, env, routeStatus));
    const gw = report.gateways.get(k);
    if (gw !== undefined) out.push({ key: keyOf(gw.obj), status: gatewayStatus(gw, env) });
    const cls = report.classes.get(k);
    if (cls !== undefined) out.push({ key: keyOf(cls.obj), status: classStatus(cls, env) });
    const ls = report.listenerSets.get(k);
    if (ls !== undefined) out.push({ key: keyOf(ls.obj), status: listenerSetStatus(ls, env) });
  }
  return out;
}
