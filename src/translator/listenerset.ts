/**
 * ListenerSet pass (GEP-1713): attaches the listeners of each ListenerSet to the Gateway its
 * parentRef names, when the Gateway's spec.allowedListeners admits the set's namespace.
 *
 * Runs after the Gateway pass (it needs each Gateway's address, acceptance and listeners) and before
 * the route passes (routes may name a ListenerSet as their parent).
 *
 * Merging follows the specification's listener precedence: the Gateway's own listeners first, then
 * ListenerSets oldest first, then by "namespace/name". A set's listener that conflicts with a listener
 * of higher precedence is Conflicted and the earlier one keeps the port; within one set the Gateway
 * rule applies (every indistinct listener is marked). The Gateway's own listeners and conditions are
 * never changed by a ListenerSet; the Gateway only counts the attached sets (status.attachedListenerSets).
 */
import { bindErrorOf } from './gatewayaddresses.ts';
import { GATEWAY_GROUP } from '../api/kinds.ts';
import { keyOf, keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import { CondType, ListenerReason, ListenerSetReason, cond } from '../status/conditions.ts';
import type { DraftCondition } from '../status/conditions.ts';
import type { ListenerSetReport } from '../status/report.ts';
import { PROTOCOL_ROUTE_KINDS, namespaceAllowed } from './allowedroutes.ts';
import { findConflicts } from './conflicts.ts';
import { applyFrontendValidation } from './frontendtls.ts';
import type { Conflict, ListenerKey } from './conflicts.ts';
import { buildListener, finishListener, listenerProgrammed, refsBlockServing } from './listener.ts';
import type { GatewayVerdict, ListenerCheck } from './listener.ts';
import type { Ctx, GatewayState, ListenerSetState } from './model.ts';

/** Attaches every ListenerSet to its Gateway and reports ListenerSet and Gateway status. */
export function processListenerSets(ctx: Ctx, gateways: readonly GatewayState[]): void {
  const byKey = new Map(gateways.map((g) => [g.key, g]));
  const sets = new Map<GatewayState, K8sObject[]>();
  for (const obj of ctx.snap.list(GATEWAY_GROUP, 'ListenerSet')) {
    const parent = parentGatewayKey(obj);
    if (parent === undefined) continue;
    const gw = byKey.get(parent);
    if (gw) sets.set(gw, [...(sets.get(gw) ?? []), obj]);
    else if (ctx.report.gateways.has(keyString({ group: GATEWAY_GROUP, kind: 'Gateway', ...splitKey(parent) }))) {
      // Ours, but its class is not accepted: the Gateway pass gave it no listeners at all.
      report(ctx, obj).conditions = refusedConditions(ListenerSetReason.ParentNotAccepted, `parent Gateway ${parent} is not accepted`);
    }
  }
  for (const gw of gateways) {
    const objs = sets.get(gw) ?? [];
    if (objs.length === 0 && gw.obj.spec?.allowedListeners === undefined) continue;
    gw.listenerSets = [];
    gw.report.attachedListenerSets = attachSets(ctx, gw, objs.sort(byPrecedence));
  }
}

/** "namespace/name" of the Gateway a ListenerSet's parentRef names; undefined for other kinds. */
function parentGatewayKey(obj: K8sObject): string | undefined {
  const ref = obj.spec?.parentRef;
  if ((ref?.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref?.kind ?? 'Gateway') !== 'Gateway') return undefined;
  if (typeof ref?.name !== 'string') return undefined;
  return `${ref.namespace ?? obj.metadata.namespace ?? ''}/${ref.name}`;
}

function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function nn(o: K8sObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Listener precedence among sets: older first; no timestamp sorts last; then "namespace/name". */
function byPrecedence(a: K8sObject, b: K8sObject): number {
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    const d = Date.parse(ta) - Date.parse(tb);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  const ka = nn(a);
  const kb = nn(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function report(ctx: Ctx, obj: K8sObject): ListenerSetReport {
  const r: ListenerSetReport = { obj, conditions: [], listeners: [] };
  ctx.report.listenerSets.set(keyString(keyOf(obj)), r);
  return r;
}

function refusedConditions(reason: ListenerSetReason, message: string): DraftCondition[] {
  return [cond(CondType.Accepted, false, reason, message), cond(CondType.Programmed, false, reason, message)];
}

/** Processes the sets of one Gateway in precedence order; returns how many are attached. */
function attachSets(ctx: Ctx, gw: GatewayState, objs: readonly K8sObject[]): number {
  // Listeners that hold their port and hostname against every set processed later.
  const holders: ListenerKey[] = gw.listeners.filter((l) => l.protocol in PROTOCOL_ROUTE_KINDS);
  let attached = 0;
  for (const obj of objs) {
    const ls: ListenerSetState = { obj, key: nn(obj), gateway: gw, listeners: [] };
    gw.listenerSets!.push(ls);
    const r = report(ctx, obj);
    const refusal = refusalOf(ctx, gw, obj);
    if (refusal) {
      ls.refused = refusal.message;
      r.conditions = refusedConditions(refusal.reason, refusal.message);
      continue;
    }
    const specs: any[] = Array.isArray(obj.spec?.listeners) ? obj.spec.listeners : [];
    const checks = specs.map((s) => buildListener(ctx, gw, s, ls));
    applyFrontendValidation(ctx, gw.obj, checks); // the Gateway's per-port client validation covers the set's HTTPS listeners too
    markConflicts(checks, holders, gw.key);
    for (const c of checks) {
      finishListener(c, verdictFor(ctx, gw, c.state.port, c.state.protocol));
      ls.listeners.push(c.state);
      r.listeners.push(c.state.report);
    }
    r.conditions = setConditions(gw, checks);
    if (!r.conditions.some((c) => c.type === CondType.Accepted && c.status === 'True')) continue;
    attached++;
    for (const c of checks) if (c.protocolKnown && !c.conflict) holders.push(c.state);
  }
  return attached;
}

/** Why the Gateway does not take this set, or undefined when it does. */
function refusalOf(ctx: Ctx, gw: GatewayState, obj: K8sObject): { reason: ListenerSetReason; message: string } | undefined {
  const allowed = gw.obj.spec?.allowedListeners;
  const from = allowed?.namespaces?.from ?? 'None';
  const gwNs = gw.obj.metadata.namespace ?? '';
  const ns = obj.metadata.namespace ?? '';
  // allowedListeners has the shape of allowedRoutes ({namespaces: {from, selector}}) but defaults to None.
  if (from === 'None' || !namespaceAllowed(ctx.snap, allowed, gwNs, ns)) {
    const why = from === 'None' ? 'does not allow ListenerSets' : `does not allow ListenerSets from namespace ${ns}`;
    return { reason: ListenerSetReason.NotAllowed, message: `Gateway ${gw.key} ${why}` };
  }
  const accepted = gw.report.conditions.find((c) => c.type === CondType.Accepted);
  if (accepted?.status !== 'True') {
    return { reason: ListenerSetReason.ParentNotAccepted, message: `parent Gateway ${gw.key} is not accepted` };
  }
  return undefined;
}

/**
 * Marks conflicts: first against listeners of higher precedence (the Gateway's, earlier sets'), then
 * among the set's remaining listeners. Messages name no other listener: a sibling set may belong
 * to another team, and the GEP asks not to leak it.
 */
function markConflicts(checks: ListenerCheck[], holders: readonly ListenerKey[], gwKey: string): void {
  const known = checks.filter((c) => c.protocolKnown);
  for (const c of known) c.conflict = conflictWithEarlier(c.state, holders, gwKey);
  const rest = known.filter((c) => !c.conflict);
  const inner = findConflicts(rest.map((c) => c.state));
  for (const c of rest) c.conflict = inner.get(c.state.name);
}

function conflictWithEarlier(l: ListenerKey, holders: readonly ListenerKey[], gwKey: string): Conflict | undefined {
  // findConflicts holds the rules; names are replaced so the probe is told apart from the holders.
  const probe: ListenerKey = { name: '', port: l.port, protocol: l.protocol, hostname: l.hostname };
  const others = holders.filter((h) => h.port === l.port).map((h, i) => ({ name: `#${i}`, port: h.port, protocol: h.protocol, hostname: h.hostname }));
  const found = findConflicts([probe, ...others]).get('');
  if (!found) return undefined;
  const what = found.reason === ListenerReason.ProtocolConflict
    ? `port ${l.port} is already used with another protocol`
    : `${l.hostname ? `hostname "${l.hostname}"` : 'the empty hostname'} on port ${l.port} is already used`;
  return { reason: found.reason, message: `${what} by a listener of higher precedence on Gateway ${gwKey}` };
}

/** What the Gateway decided that applies to a set's listener on `port`. */
function verdictFor(ctx: Ctx, gw: GatewayState, port: number, protocol: string): GatewayVerdict {
  if (gw.address === undefined) {
    const programmed = gw.report.conditions.find((c) => c.type === CondType.Programmed);
    return { usable: false, message: programmed?.message ?? `Gateway ${gw.key} has no address` };
  }
  const bindError = bindErrorOf(ctx.env.bindErrors, gw, port, protocol);
  return { usable: true, message: 'Gateway is programmed', ...(bindError !== undefined && { bindError }) };
}

/** A listener that can carry traffic once programmed: accepted, and its references do not block it. */
function valid(c: ListenerCheck): boolean {
  return c.state.accepted && !refsBlockServing(c);
}

/**
 * Accepted and Programmed of the set itself. The set is accepted while one listener is valid
 * (partial acceptance, as the GEP allows); its Programmed condition summarises only its own listeners.
 */
function setConditions(gw: GatewayState, checks: readonly ListenerCheck[]): DraftCondition[] {
  const good = checks.filter(valid);
  const bad = checks.filter((c) => !valid(c)).map((c) => c.state.name);
  if (good.length === 0) {
    const msg = checks.length === 0 ? 'ListenerSet has no listeners' : `no listener is valid: ${bad.join(', ')}`;
    return refusedConditions(ListenerSetReason.ListenersNotValid, msg);
  }
  const acceptedMsg = bad.length === 0 ? 'ListenerSet is accepted' : `ListenerSet is accepted; listeners not valid: ${bad.join(', ')}`;
  const accepted = cond(CondType.Accepted, true, ListenerSetReason.Accepted, acceptedMsg);
  const states = good.map(listenerProgrammed);
  let programmed: DraftCondition;
  if (states.includes('True')) programmed = cond(CondType.Programmed, true, ListenerSetReason.Programmed, 'ListenerSet is programmed');
  else if (states.includes('Pending')) programmed = cond(CondType.Programmed, false, ListenerSetReason.Pending, 'no listener is served by this data plane yet');
  else programmed = cond(CondType.Programmed, false, ListenerSetReason.Invalid, gw.address === undefined ? `parent Gateway ${gw.key} has no address` : 'no listener can be programmed');
  return [accepted, programmed];
}
