/**
 * HTTPRoute pass: compiles each route and attaches it through its parentRefs. A parentRef to a
 * Gateway we manage gets a RouteParentStatus: Accepted (or NoMatchingParent when sectionName/port
 * select no listener, NotAllowedByListeners when kinds or namespaces forbid it,
 * NoMatchingListenerHostname when no hostname intersects, UnsupportedValue when the route asks for
 * something we cannot serve) and ResolvedRefs. parentRefs to other parents are not ours to report.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import { keyOf, keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import { CondType, RouteReason, cond } from '../status/conditions.ts';
import type { DraftCondition } from '../status/conditions.ts';
import type { RouteReport } from '../status/report.ts';
import { namespaceAllowed } from './allowedroutes.ts';
import { effectiveHostnames } from './hostnames.ts';
import type { CompiledRoute, Ctx, GatewayState, ListenerState } from './model.ts';
import { parentOf, routeParentIndex } from './parents.ts';
import type { RouteParent } from './parents.ts';
import { compileRoute } from './routerules.ts';
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
  const routes = [...ctx.snap.list(GATEWAY_GROUP, kind)].sort((a, b) => cmp(nn(a), nn(b)));
  for (const obj of routes) {
    const refs: any[] = Array.isArray(obj.spec?.parentRefs) ? obj.spec.parentRefs : [];
    const ours = refs.map((ref) => ({ ref, gw: parentOf(obj, ref, byKey) })).filter((x) => x.gw !== undefined);
    const hadOurs = Array.isArray(obj.status?.parents) && obj.status.parents.some((p: any) => p?.controllerName === ctx.env.controllerName);
    if (ours.length === 0 && !hadOurs) continue;
    const report: RouteReport = { obj, parents: [] };
    // Reported even with no parents of ours left, so stale entries of ours get removed.
    ctx.report.routes.set(keyString(keyOf(obj)), report);
    if (ours.length === 0) continue;
    const compiled = compile(ctx, obj);
    for (const { ref, gw } of ours) {
      report.parents.push({ parentRef: { ...ref }, conditions: attach(ctx, compiled, ref, gw!) });
    }
  }
}

function nn(o: K8sObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindAllowed(l: ListenerState, kind: string): boolean {
  return l.kinds.some((k) => k.group === GATEWAY_GROUP && k.kind === kind);
}

/** Attaches the route to the listeners `ref` selects; returns the parent's conditions. */
function attach(ctx: Ctx, c: CompileResult, ref: any, gw: RouteParent): DraftCondition[] {
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
  for (const { l, hosts } of matched) addAttachment(l, route, hosts);
  return [cond(CondType.Accepted, true, RouteReason.Accepted, 'route is accepted'), resolved];
}

/** Routes attached per listener, so a second parentRef selecting the same listener is found in O(1). */
const attachedTo = new WeakMap<ListenerState, Set<CompiledRoute>>();

function addAttachment(l: ListenerState, route: CompiledRoute, hostnames: string[]): void {
  let set = attachedTo.get(l);
  if (!set) attachedTo.set(l, (set = new Set()));
  if (set.has(route)) return; // two parentRefs selecting one listener attach once
  set.add(route);
  l.routes.push({ route, hostnames });
  l.report.attachedRoutes++;
}
