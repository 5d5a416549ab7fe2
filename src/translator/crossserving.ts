/**
 * Cross serving: on one listener, an HTTPRoute and a GRPCRoute whose effective hostnames intersect
 * cannot both be attached. The GRPCRoute specification (spec.hostnames) has exactly one of the two
 * accepted: the older by creation timestamp, then the first by "namespace/name"; the other is rejected.
 *
 * Here that is settled per listener, oldest route first: a route loses the listener when a route of
 * the other kind already kept there shares a hostname with it. (So a route that lost never pushes out
 * a third one.) The loser is detached from that listener only; a parentRef of the loser left attached
 * to none of the listeners it selects gets Accepted=False, reason Conflicted. Routes of one kind never
 * conflict with each other here: precedence orders them.
 *
 * Runs after every pass that attaches HTTPRoutes and GRPCRoutes, before the IR is built.
 */
import { keyOf, keyString } from '../api/object.ts';
import { CondType, RouteReason, cond } from '../status/conditions.ts';
import type { RouteParentReport } from '../status/report.ts';
import { intersectHostnames } from './hostnames.ts';
import type { Attachment, CompiledRoute, Ctx, GatewayState, ListenerState } from './model.ts';
import { everyListener, parentOf, routeParentIndex } from './parents.ts';

/** The kind each kind must not share a hostname with. */
const RIVAL: Readonly<Record<string, string>> = { HTTPRoute: 'GRPCRoute', GRPCRoute: 'HTTPRoute' };

/** Where a route lost, and to whom (the first loss, for the message). */
interface Loss {
  readonly listeners: Set<ListenerState>;
  readonly first: { readonly winner: CompiledRoute; readonly listener: ListenerState };
}

/** True when two sets of effective hostnames ("*" = any host) share a host. */
export function hostnamesOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.some((y) => x === '*' || y === '*' || intersectHostnames(x, y) !== undefined));
}

function createdMs(r: CompiledRoute): number {
  const ms = r.creationTimestamp === undefined ? NaN : Date.parse(r.creationTimestamp);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms; // no timestamp counts as newest
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Older first, then "namespace/name", then kind (an HTTPRoute and a GRPCRoute may share a name). */
function seniority(a: Attachment, b: Attachment): number {
  const ta = createdMs(a.route);
  const tb = createdMs(b.route);
  return (ta === tb ? 0 : ta < tb ? -1 : 1) || cmpStr(a.route.key, b.route.key) || cmpStr(a.route.kind, b.route.kind);
}

/** Detaches the losers of one listener; returns how many were detached. */
function settleListener(l: ListenerState, losses: Map<CompiledRoute, Loss>): number {
  const kept: Attachment[] = [];
  for (const a of [...l.routes].sort(seniority)) {
    const rival = RIVAL[a.route.kind];
    const winner = rival === undefined ? undefined : kept.find((k) => k.route.kind === rival && hostnamesOverlap(k.hostnames, a.hostnames));
    if (winner === undefined) {
      kept.push(a);
      continue;
    }
    const loss = losses.get(a.route) ?? { listeners: new Set<ListenerState>(), first: { winner: winner.route, listener: l } };
    loss.listeners.add(l);
    losses.set(a.route, loss);
  }
  const removed = l.routes.length - kept.length;
  if (removed === 0) return 0;
  const keep = new Set(kept);
  const remaining = l.routes.filter((a) => keep.has(a)); // attachment order is kept
  l.routes.length = 0;
  l.routes.push(...remaining);
  l.report.attachedRoutes -= removed;
  return removed;
}

/** Settles HTTPRoute/GRPCRoute hostname conflicts on every listener of our Gateways (and their ListenerSets). */
export function resolveCrossServing(ctx: Ctx, gateways: readonly GatewayState[]): void {
  const losses = new Map<CompiledRoute, Loss>();
  for (const gw of gateways) {
    for (const l of everyListener(gw)) {
      if (l.routes.some((a) => a.route.kind === 'GRPCRoute') && l.routes.some((a) => a.route.kind === 'HTTPRoute')) settleListener(l, losses);
    }
  }
  if (losses.size > 0) rejectParents(ctx, gateways, losses);
}

/** Sets Accepted=False on each loser's parentRefs that are left with no listener. */
function rejectParents(ctx: Ctx, gateways: readonly GatewayState[], losses: ReadonlyMap<CompiledRoute, Loss>): void {
  const index = routeParentIndex(gateways);
  for (const [route, loss] of losses) {
    const report = ctx.report.routes.get(keyString(keyOf(route.obj)));
    for (const p of report?.parents ?? []) {
      const parent = parentOf(route.obj, p.parentRef, index);
      if (parent === undefined || !accepted(p)) continue;
      const ref = p.parentRef;
      const selected = parent.listeners.filter((l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port));
      if (!selected.some((l) => loss.listeners.has(l))) continue;
      if (selected.some((l) => l.routes.some((a) => a.route === route))) continue;
      const { winner, listener } = loss.first;
      const message = `${winner.kind} ${winner.key} is older (or first by name) and serves a hostname of this route on listener ${listener.name}`;
      p.conditions = p.conditions.map((c) => (c.type === CondType.Accepted ? cond(CondType.Accepted, false, RouteReason.Conflicted, message) : c));
    }
  }
}

function accepted(p: RouteParentReport): boolean {
  return p.conditions.some((c) => c.type === CondType.Accepted && c.status === 'True');
}
