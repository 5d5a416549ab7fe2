/**
 * HTTPRoute pass: compiles each route and attaches it through its parentRefs. A parentRef to a
 * Gateway we manage gets a RouteParentStatus: Accepted (or NoMatchingParent when sectionName/port
 * select no listener, NotAllowedByListeners when kinds or namespaces forbid it,
 * NoMatchingListenerHostname when no hostname intersects, UnsupportedValue when the route asks for
 * something we cannot serve) and ResolvedRefs. parentRefs to other parents are not ours to report.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import { CondType, RouteReason, cond } from '../status/conditions.ts';
import type { DraftCondition } from '../status/conditions.ts';
import type { RouteReport } from '../status/report.ts';
import { namespaceAllowed } from './allowedroutes.ts';
import { effectiveHostnames } from './hostnames.ts';
import type { CompiledRoute, Ctx, GatewayState, ListenerState } from './model.ts';
import { parentOf, routeParentIndex } from './parents.ts';
import type { RouteParent } from './parents.ts';
import { parentsSignature, type AttachOutcome, type TranslatorMemo } from './memo.ts';
import { compileRoute } from './routerules.ts';
import { exact } from './compact.ts';
import type { CompileResult } from './routerules.ts';

/** Attaches every HTTPRoute to the listeners of our Gateways and reports route status. */
export function processHTTPRoutes(ctx: Ctx, gateways: readonly GatewayState[]): void {
  processRoutes(ctx, gateways, 'HTTPRoute');
}

/**
 * The attachment pass for any route kind; `compile` turns one route into what attaches (HTTPRoute's
 * rule compiler by default; TLSRoute, TCPRoute and UDPRoute pass their own).
 */
export function processRoutes(ctx: Ctx, gateways: readonly GatewayState[], kind: string, compile: (ctx: Ctx, obj: K8sObject) => CompileResult = compileRoute): void {
  const byKey = routeParentIndex(gateways);
  let sig: string | undefined;
  const signature = () => (sig ??= parentsSignature(ctx, gateways));
  for (const obj of sortedByName(ctx.snap.list(GATEWAY_GROUP, kind))) processRoute(ctx, obj, byKey, signature, compile);
}

/**
 * Attaches one route and reports its status (into ctx.report); the compiled route when it has parents
 * of ours. The incremental translator calls it for changed routes only (delta.ts); `signature` gives
 * parentsSignature() of this translation's parents (asked only with a memo).
 */
export function processRoute(
  ctx: Ctx,
  obj: K8sObject,
  byKey: ReadonlyMap<string, RouteParent>,
  signature: () => string,
  compile: (ctx: Ctx, obj: K8sObject) => CompileResult = compileRoute,
): CompileResult | undefined {
  const refs: any[] = Array.isArray(obj.spec?.parentRefs) ? obj.spec.parentRefs : [];
  const ours = refs.map((ref) => ({ ref, gw: parentOf(obj, ref, byKey) })).filter((x) => x.gw !== undefined);
  const hadOurs = Array.isArray(obj.status?.parents) && obj.status.parents.some((p: any) => p?.controllerName === ctx.env.controllerName);
  if (ours.length === 0 && !hadOurs) return undefined;
  const report: RouteReport = { obj, parents: [] };
  // Reported even with no parents of ours left, so stale entries of ours get removed.
  ctx.report.routes.set(`${GATEWAY_GROUP}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, report); // keyString(keyOf(obj))
  if (ours.length === 0) return undefined;
  const compiled = ctx.memo ? ctx.memo.compile(ctx, obj, compile) : compile(ctx, obj);
  if (ctx.memo) attachMemoised(ctx, ctx.memo, compiled, ours as Parented[], report, signature());
  else for (const { ref, gw } of ours) report.parents.push({ parentRef: ref, conditions: attach(ctx, compiled, ref, gw!) });
  report.parents = exact(report.parents); // kept by the status memo and an incremental translator's world
  return compiled;
}

/** Forgets that `route` is attached to `l` (the incremental translator detaches a changed route by hand). */
export function forgetAttachment(l: ListenerState, route: CompiledRoute): void {
  attachedTo.get(l)?.delete(route);
}

interface Parented {
  readonly ref: any;
  readonly gw: RouteParent;
}

/**
 * Attachment with a memo: a route compiled to the same result as last time, facing parents whose
 * listeners are described by the same signature, attaches exactly as last time. The recorded outcome
 * (conditions per parentRef, listeners by position with their hostnames) is replayed onto this
 * translation's listeners instead of being worked out again.
 */
function attachMemoised(ctx: Ctx, memo: TranslatorMemo, c: CompileResult, ours: readonly Parented[], report: RouteReport, sig: string): void {
  const last = memo.attachments.get(c);
  if (last !== undefined && last.sig === sig) {
    for (const p of last.parents) report.parents.push({ parentRef: p.ref, conditions: p.conditions });
    // Recorded attachments are already one per listener: no duplicate check needed.
    for (const a of last.attached) pushAttachment(ours[a.parent].gw.listeners[a.listener], c.route, a.hostnames);
    return;
  }
  const parents: AttachOutcome['parents'] = [];
  const attached: AttachOutcome['attached'] = [];
  ours.forEach(({ ref, gw }, i) => {
    const got: Array<{ l: ListenerState; hostnames: string[] }> = [];
    const conditions = attach(ctx, c, ref, gw, got);
    report.parents.push({ parentRef: ref, conditions }); // the input object itself: never written, the status copies it
    parents.push({ ref, conditions });
    for (const g of got) attached.push({ parent: i, listener: gw.listeners.indexOf(g.l), hostnames: g.hostnames });
  });
  memo.attachments.set(c, { sig, parents: exact(parents), attached: exact(attached) });
}

/** Routes in "namespace/name" order; each key is built once (the comparator runs n log n times). */
function sortedByName(list: readonly K8sObject[]): K8sObject[] {
  const keyed = list.map((obj) => ({ obj, k: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}` }));
  keyed.sort((a, b) => cmp(a.k, b.k));
  return keyed.map((x) => x.obj);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindAllowed(l: ListenerState, kind: string): boolean {
  return l.kinds.some((k) => k.group === GATEWAY_GROUP && k.kind === kind);
}

/** Attaches the route to the listeners `ref` selects; returns the parent's conditions. */
function attach(ctx: Ctx, c: CompileResult, ref: any, gw: RouteParent, got?: Array<{ l: ListenerState; hostnames: string[] }>): DraftCondition[] {
  const route = c.route;
  const resolved = c.refProblem
    ? cond(CondType.ResolvedRefs, false, c.refProblem.reason, c.refProblem.message)
    : cond(CondType.ResolvedRefs, true, RouteReason.ResolvedRefs, 'all references are resolved');
  const rejected = (reason: RouteReason, message: string) => [cond(CondType.Accepted, false, reason, message), resolved];

  let selected = gw.listeners;
  if (ref.sectionName !== undefined) selected = selected.filter((l) => l.name === ref.sectionName);
  if (ref.port !== undefined) selected = selected.filter((l) => l.port === ref.port);
  if (selected.length === 0) {
    const what = [ref.sectionName !== undefined && `named "${ref.sectionName}"`, ref.port !== undefined && `on port ${ref.port}`].filter(Boolean).join(' ');
    return rejected(RouteReason.NoMatchingParent, gw.refused ?? `${gw.obj.kind} ${gw.key} has no listener ${what}`.trim());
  }
  const routeNs = route.obj.metadata.namespace ?? '';
  const gwNs = gw.obj.metadata.namespace ?? '';
  const allowed = selected.filter((l) => kindAllowed(l, route.kind) && namespaceAllowed(ctx.snap, l.spec?.allowedRoutes, gwNs, routeNs));
  if (allowed.length === 0) {
    return rejected(RouteReason.NotAllowedByListeners, `no listener of ${gw.obj.kind} ${gw.key} allows ${route.kind} from namespace ${routeNs}`);
  }
  const hostnames: string[] = Array.isArray(route.obj.spec?.hostnames) ? route.obj.spec.hostnames.map(String) : [];
  const matched = allowed.map((l) => ({ l, hosts: effectiveHostnames(l.hostname, hostnames) })).filter((x) => x.hosts.length > 0);
  if (matched.length === 0) {
    return rejected(RouteReason.NoMatchingListenerHostname, `no hostname of the route intersects a listener hostname of ${gw.obj.kind} ${gw.key}`);
  }
  if (c.unsupported !== undefined) return rejected(RouteReason.UnsupportedValue, c.unsupported);
  for (const { l, hosts } of matched) if (addAttachment(l, route, hosts)) got?.push({ l, hostnames: hosts });
  return c.refProblem ? [ACCEPTED, resolved] : ACCEPTED_RESOLVED;
}

/**
 * The conditions of a parentRef where all went well: the same for nearly every route, so one frozen
 * list is shared (reports and the memo keep one per route and parent; nothing writes into them).
 */
const ACCEPTED = Object.freeze(cond(CondType.Accepted, true, RouteReason.Accepted, 'route is accepted'));
const ACCEPTED_RESOLVED = Object.freeze([ACCEPTED, Object.freeze(cond(CondType.ResolvedRefs, true, RouteReason.ResolvedRefs, 'all references are resolved'))]) as unknown as DraftCondition[];

/** Routes attached per listener, so a second parentRef selecting the same listener is found in O(1). */
const attachedTo = new WeakMap<ListenerState, Set<CompiledRoute>>();

/** Attaches unless already attached there; true when it attached. */
function addAttachment(l: ListenerState, route: CompiledRoute, hostnames: readonly string[]): boolean {
  let set = attachedTo.get(l);
  if (!set) attachedTo.set(l, (set = new Set()));
  if (set.has(route)) return false; // two parentRefs selecting one listener attach once
  set.add(route);
  pushAttachment(l, route, hostnames);
  return true;
}

function pushAttachment(l: ListenerState, route: CompiledRoute, hostnames: readonly string[]): void {
  l.routes.push({ route, hostnames });
  l.report.attachedRoutes++;
}
