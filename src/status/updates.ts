/**
 * Turns a StatusReport into StatusUpdates: stamps observedGeneration and lastTransitionTime
 * (compared with the status already stored, so the function stays pure) and keeps route parent
 * entries written by other controllers.
 */
import { keyOf } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import type { StatusUpdate } from '../translator/types.ts';
import { finalize } from './conditions.ts';
import { listenerSetStatus } from './listenerset.ts';
import { policyStatus } from './policy.ts';
import type { RouteStatusMemo } from './memo.ts';
import type { ClassReport, GatewayReport, RouteReport, StatusReport } from './report.ts';

/** Options the conversion needs from the translation environment. */
export interface UpdateEnv {
  controllerName: string;
  now: string;
}

/**
 * Every status the report holds, sorted by object key. With a `memo` (an incremental translator's), a
 * route whose object and decided conditions are the same as last time gets the identical status object
 * back, so the writer can skip it without comparing (see memo.ts in this folder).
 */
export function toStatusUpdates(report: StatusReport, env: UpdateEnv, memo?: RouteStatusMemo): StatusUpdate[] {
  // The report's maps are keyed by keyString(keyOf(obj)): those keys sort the result.
  const out: Array<{ k: string; u: StatusUpdate }> = [];
  for (const [k, c] of report.classes) out.push({ k, u: { key: keyOf(c.obj), status: classStatus(c, env) } });
  for (const [k, g] of report.gateways) out.push({ k, u: { key: keyOf(g.obj), status: gatewayStatus(g, env) } });
  for (const [k, r] of report.routes) out.push({ k, u: memo ? memo.update(r, env, routeStatus) : { key: keyOf(r.obj), status: routeStatus(r, env) } });
  for (const [k, s] of report.listenerSets) out.push({ k, u: { key: keyOf(s.obj), status: listenerSetStatus(s, env) } });
  for (const [k, p] of report.policies) out.push({ k, u: { key: keyOf(p.obj), status: policyStatus(p, env) } });
  out.sort((a, b) => cmp(a.k, b.k)); // mostly sorted already: the passes visit objects in name order
  return out.map((x) => x.u);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function generation(obj: K8sObject): number | undefined {
  return typeof obj.metadata.generation === 'number' ? obj.metadata.generation : undefined;
}

/** The status of a GatewayClass. */
export function classStatus(c: ClassReport, env: UpdateEnv): unknown {
  const status: Record<string, unknown> = {
    conditions: finalize(c.conditions, c.obj.status?.conditions, generation(c.obj), env.now),
  };
  if (c.supportedFeatures.length > 0) status.supportedFeatures = c.supportedFeatures.map((name) => ({ name }));
  return status;
}

/** The status of a Gateway. */
export function gatewayStatus(g: GatewayReport, env: UpdateEnv): unknown {
  const gen = generation(g.obj);
  const oldListeners: unknown[] = Array.isArray(g.obj.status?.listeners) ? g.obj.status.listeners : [];
  const listeners = g.listeners.map((l) => {
    const old = oldListeners.find((o) => (o as any)?.name === l.name) as any;
    return {
      name: l.name,
      supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
      attachedRoutes: l.attachedRoutes,
      conditions: finalize(l.conditions, old?.conditions, gen, env.now),
    };
  });
  const status: Record<string, unknown> = {};
  if (g.addresses.length > 0) status.addresses = g.addresses.map((a) => ({ ...a }));
  status.conditions = finalize(g.conditions, g.obj.status?.conditions, gen, env.now);
  status.listeners = listeners;
  if (g.attachedListenerSets !== undefined) status.attachedListenerSets = g.attachedListenerSets;
  return status;
}

/** True when two parentRefs name the same parent (same fields, same values). */
export function sameRef(a: unknown, b: unknown): boolean {
  const fields = ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'];
  return fields.every((f) => (a as any)?.[f] === (b as any)?.[f]);
}

/** The status of a route: our parent entries, other controllers' entries kept. */
export function routeStatus(r: RouteReport, env: UpdateEnv): Record<string, unknown> {
  const gen = generation(r.obj);
  const existing: any[] = Array.isArray(r.obj.status?.parents) ? r.obj.status.parents : [];
  // Entries of other controllers are theirs to manage: keep them untouched, in their order.
  const others = existing.filter((p) => p?.controllerName !== env.controllerName);
  const ours = r.parents.map((p) => {
    const old = existing.find((e) => e?.controllerName === env.controllerName && sameRef(e.parentRef, p.parentRef));
    return {
      parentRef: { ...p.parentRef },
      controllerName: env.controllerName,
      conditions: finalize(p.conditions, old?.conditions, gen, env.now),
    };
  });
  return { parents: [...others, ...ours] };
}
