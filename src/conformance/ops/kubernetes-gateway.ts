/**
 * kubernetes.* ops about GatewayClasses and Gateways (helpers §1 "GatewayClass", "Gateway"),
 * with their exact polling, staleness and fatality rules.
 */
import { StepFailure, type OpHandler, type RunContext, type Step } from '../types.ts';
import { findCondition, latestGeneration, listenersMismatch, summarize } from './match.ts';
import { done, getGatewayObject, notYet, poll, pollOpts, tryGetGatewayObject, type PollOutcome } from './poll.ts';

/** GWCMustHaveAcceptedCondition{True,Any}: returns the class's controllerName. */
export async function gwcMustBeAccepted(ctx: RunContext, gwcName: string, status: string): Promise<string> {
  return poll(pollOpts(ctx, `GatewayClass ${gwcName} Accepted=${status || 'any'}`, 'GWCMustBeAccepted'), async () => {
    const gwc = await getGatewayObject(ctx, 'GatewayClass', gwcName);
    const conds = gwc.status?.conditions;
    if (!latestGeneration(gwc, conds)) return notYet(`conditions not at generation ${gwc.metadata.generation}`);
    if (!findCondition(conds, 'Accepted', status)) return notYet(`conditions ${summarize(conds)}`);
    return done(String(gwc.spec?.controllerName ?? ''));
  });
}

/** Polls until every condition of a status list carries the object's generation. */
async function mustHaveLatest(ctx: RunContext, kind: string, nn: string): Promise<void> {
  await poll(pollOpts(ctx, `${kind} ${nn} conditions at latest generation`, 'LatestObservedGenerationSet'), async () => {
    const obj = await getGatewayObject(ctx, kind, nn);
    const conds = obj.status?.conditions;
    return latestGeneration(obj, conds) ? done(undefined) : notYet(`conditions not at generation ${obj.metadata.generation}: ${JSON.stringify(conds ?? [])}`);
  });
}

/** kubernetes.WaitForGatewayAddress: "host:port" of the ref's first listener (or the first listener). */
export async function waitForGatewayAddress(ctx: RunContext, gwRef: { gateway: string; listenerNames?: string[] }): Promise<string> {
  const nn = gwRef.gateway;
  const wanted = gwRef.listenerNames?.[0] ?? '';
  return poll(pollOpts(ctx, `Gateway ${nn} address`, 'GatewayMustHaveAddress'), async () => {
    const gw = await getGatewayObject(ctx, 'Gateway', nn);
    if (!latestGeneration(gw, gw.status?.conditions)) return notYet('Gateway conditions not at latest generation');
    const listeners: any[] = gw.spec?.listeners ?? [];
    const listener = (wanted && listeners.find((l) => l?.name === wanted)) || listeners[0];
    const addr = (gw.status?.addresses ?? []).find((a: any) => a?.type);
    if (!addr) return notYet(`no status address with a type: ${JSON.stringify(gw.status?.addresses ?? [])}`);
    const host = String(addr.value ?? '');
    return done(`${host.includes(':') ? `[${host}]` : host}:${listener?.port ?? ''}`);
  });
}

/** Shared per-listener logic of Gateway/ListenerSet ...ListenersMustHaveConditions. */
export function listenersHaveConditions(status: readonly any[] | undefined, conditions: any[], listenerNames?: string[]): PollOutcome<void> {
  const seen = new Set<string>();
  for (const l of status ?? []) {
    if (listenerNames?.length && !listenerNames.includes(l?.name)) continue;
    for (const c of conditions) {
      if (!findCondition(l?.conditions, c.type, c.status, c.reason)) return notYet(`listener ${l?.name} conditions ${summarize(l?.conditions)} lack ${summarize([c])}`);
    }
    seen.add(l?.name);
  }
  for (const n of listenerNames ?? []) if (!seen.has(n)) return notYet(`listener ${n} not in status`);
  return done(undefined);
}

/** kubernetes.GatewayListenersMustHaveConditions with the Gateway as an "ns/name". */
export async function gatewayListenersMustHaveConditions(ctx: RunContext, gwName: string, conditions: any[], listenerNames?: string[]): Promise<void> {
  await poll(pollOpts(ctx, `Gateway ${gwName} listeners ${summarize(conditions)}`, 'GatewayListenersMustHaveConditions'), async () => {
    const gw = await getGatewayObject(ctx, 'Gateway', gwName);
    return listenersHaveConditions(gw.status?.listeners, conditions, listenerNames);
  });
}

/** The Gateway ops, by op name. */
export const gatewayOps: Record<string, OpHandler> = {
  'kubernetes.GWCMustHaveAcceptedConditionTrue': (s, ctx) => gwcMustBeAccepted(ctx, s.gwcName, 'True'),
  'kubernetes.GWCMustHaveAcceptedConditionAny': (s, ctx) => gwcMustBeAccepted(ctx, s.gwcName, ''),
  'kubernetes.GatewayClassMustHaveLatestConditions': (s, ctx) => mustHaveLatest(ctx, 'GatewayClass', s.gwcNN),
  'kubernetes.GatewayMustHaveLatestConditions': (s, ctx) => mustHaveLatest(ctx, 'Gateway', s.gwNN),
  'kubernetes.GatewayMustHaveCondition': async (s: Step, ctx) => {
    const c = s.expectedCondition ?? {};
    await poll(pollOpts(ctx, `Gateway ${s.gwNN} condition ${summarize([c])}`, 'GatewayMustHaveCondition'), async () => {
      const gw = await getGatewayObject(ctx, 'Gateway', s.gwNN);
      const conds = gw.status?.conditions;
      // helpers §1: stale conditions are an immediate error here, not a retry.
      if (!latestGeneration(gw, conds)) throw new StepFailure(`Gateway ${s.gwNN}: conditions not at generation ${gw.metadata.generation}: ${JSON.stringify(conds)}`);
      return findCondition(conds, c.type, c.status, c.reason) ? done(undefined) : notYet(`conditions ${summarize(conds)}`);
    });
  },
  'kubernetes.WaitForGatewayAddress': (s, ctx) => waitForGatewayAddress(ctx, s.gwRef),
  'kubernetes.GatewayListenersMustHaveConditions': (s, ctx) => gatewayListenersMustHaveConditions(ctx, s.gwName, s.conditions ?? [], s.listenerNames),
  'kubernetes.GatewayListenerMustHaveConditions': async (s, ctx) => {
    await poll(pollOpts(ctx, `Gateway ${s.gwName} listener ${s.lName} ${summarize(s.conditions)}`, 'GatewayListenersMustHaveConditions'), async () => {
      const gw = await getGatewayObject(ctx, 'Gateway', s.gwName);
      const l = (gw.status?.listeners ?? []).find((x: any) => x?.name === s.lName);
      if (!l) return notYet(`listener ${s.lName} not in status`);
      return conditionsMatchAll(l.conditions, s.conditions ?? []) ? done(undefined) : notYet(`conditions ${summarize(l.conditions)}`);
    });
  },
  'kubernetes.GatewayStatusMustHaveListeners': async (s, ctx) => {
    await poll(pollOpts(ctx, `Gateway ${s.gwNN} listener status`, 'GatewayStatusMustHaveListeners'), async () => {
      const gw = await getGatewayObject(ctx, 'Gateway', s.gwNN);
      if (!latestGeneration(gw, gw.status?.conditions)) return notYet('Gateway conditions not at latest generation');
      const why = listenersMismatch(s.listeners ?? [], gw.status?.listeners);
      return why ? notYet(why) : done(undefined);
    });
  },
  'kubernetes.GatewayMustHaveZeroRoutes': async (s, ctx) => {
    await poll(pollOpts(ctx, `Gateway ${s.gwName} zero attached routes`, 'GatewayStatusMustHaveListeners', { nonFatal: true }), async () => {
      const gw = await getGatewayObject(ctx, 'Gateway', s.gwName);
      if (!latestGeneration(gw, gw.status?.conditions)) return notYet('Gateway conditions not at latest generation');
      const ls: any[] = gw.status?.listeners ?? [];
      if (ls.length === 0 || (ls.length === 1 && (ls[0]?.attachedRoutes ?? 0) === 0)) return done(undefined);
      return notYet(`listeners ${JSON.stringify(ls.map((l) => ({ name: l?.name, attachedRoutes: l?.attachedRoutes })))}`);
    });
  },
  'kubernetes.GatewayMustHaveAttachedListeners': async (s, ctx) => {
    await poll(pollOpts(ctx, `Gateway ${s.gwName} attachedListenerSets=${s.expectedCount}`, 'GatewayStatusMustHaveListeners', { nonFatal: true }), async () => {
      const { obj: gw, why } = await tryGetGatewayObject(ctx, 'Gateway', s.gwName);
      if (!gw) return notYet(why);
      if (!latestGeneration(gw, gw.status?.conditions)) return notYet('Gateway conditions not at latest generation');
      const n = gw.status?.attachedListenerSets ?? 0;
      return n === s.expectedCount ? done(undefined) : notYet(`attachedListenerSets is ${n}`);
    });
  },
};

function conditionsMatchAll(actual: any[] | undefined, expected: any[]): boolean {
  return expected.every((c) => findCondition(actual, c.type, c.status, c.reason));
}
