/**
 * kubernetes.* ops about Routes and their parents (helpers §1 "Gateway + routes", "Route parents
 * and conditions").
 */
import { StepFailure, type OpHandler, type RunContext } from '../types.ts';
import { findCondition, latestGeneration, parentsForRouteMatch, splitNN, summarize } from './match.ts';
import { done, getGatewayObject, notYet, poll, pollOpts } from './poll.ts';
import { gatewayListenersMustHaveConditions, waitForGatewayAddress } from './kubernetes-gateway.ts';
import { listenerSetListenersMustHaveConditions } from './kubernetes-misc.ts';

const GROUP = 'gateway.networking.k8s.io';
const ACCEPTED = [{ type: 'Accepted', status: 'True', reason: 'Accepted' }];
const LISTENER_READY = [
  { type: 'ResolvedRefs', status: 'True', reason: '' },
  { type: 'Accepted', status: 'True', reason: '' },
  { type: 'Programmed', status: 'True', reason: '' },
];

function parentsSummary(parents: any[] | undefined): string {
  return JSON.stringify((parents ?? []).map((p) => ({ parentRef: p?.parentRef, controllerName: p?.controllerName, conditions: summarize(p?.conditions) })));
}

/**
 * RouteMustHaveParents: poll until parentsForRouteMatch holds. With `checkGeneration` the
 * observedGeneration rule applies to the parents read by the previous poll (never the first).
 */
export async function routeMustHaveParents(ctx: RunContext, kind: string, routeNN: string, parents: any[], namespaceRequired: boolean, checkGeneration: boolean): Promise<any> {
  let previous: any[] | undefined;
  return poll(pollOpts(ctx, `${kind} ${routeNN} parents`, 'RouteMustHaveParents'), async () => {
    const route = await getGatewayObject(ctx, kind, routeNN);
    const actual: any[] = route.status?.parents ?? [];
    const prev = previous;
    previous = actual;
    if (checkGeneration && prev && !prev.every((p) => latestGeneration(route, p?.conditions))) return notYet('route parent conditions not at latest generation');
    if (parentsForRouteMatch(parents, actual, namespaceRequired)) return done(route);
    return notYet(`status.parents ${parentsSummary(actual)} do not match expected ${parentsSummary(parents)}`);
  });
}

/** XRouteMustHaveCondition: some parent entry for the Gateway has the condition. */
async function routeMustHaveCondition(ctx: RunContext, kind: string, timeoutName: string, routeNN: string, gwNN: string, cond: any): Promise<void> {
  const gw = splitNN(gwNN);
  await poll(pollOpts(ctx, `${kind} ${routeNN} condition ${summarize([cond])} for Gateway ${gwNN}`, timeoutName), async () => {
    const route = await getGatewayObject(ctx, kind, routeNN);
    const parents: any[] = route.status?.parents ?? [];
    if (!parents.every((p) => latestGeneration(route, p?.conditions))) return notYet('route parent conditions not at latest generation');
    const hit = parents.some((p) => p?.parentRef?.name === gw.name && (!p?.parentRef?.namespace || p.parentRef.namespace === gw.namespace) && findCondition(p?.conditions, cond?.type, cond?.status, cond?.reason));
    return hit ? done(undefined) : notYet(`status.parents ${parentsSummary(parents)}`);
  });
}

/** XRouteMustHaveNoAcceptedParents: no parents on two polls, or one parent with Accepted=False. */
async function routeMustHaveNoAcceptedParents(ctx: RunContext, kind: string, routeNN: string): Promise<void> {
  let armed = false;
  await poll(pollOpts(ctx, `${kind} ${routeNN} has no accepted parents`, 'HTTPRouteMustNotHaveParents', { intervalMs: 1000 }), async () => {
    const route = await getGatewayObject(ctx, kind, routeNN);
    const parents: any[] = route.status?.parents ?? [];
    if (parents.length === 0) {
      if (armed) return done(undefined);
      armed = true;
      return notYet('no parents (seen once)');
    }
    armed = false;
    if (parents.length > 1) return notYet(`${parents.length} parents: ${parentsSummary(parents)}`);
    const conds = parents[0]?.conditions;
    if (latestGeneration(route, conds) && findCondition(conds, 'Accepted', 'False')) return done(undefined);
    return notYet(`parent ${parentsSummary(parents)}`);
  });
}

function expectedParents(controllerName: string, group: string, kind: string, nn: string, listenerNames: string[] | undefined): any[] {
  const { namespace, name } = splitNN(nn);
  const names = listenerNames?.length ? listenerNames : [''];
  return names.map((sectionName) => ({
    parentRef: { group, kind, name, namespace, sectionName },
    controllerName,
    conditions: ACCEPTED,
  }));
}

async function routesAccepted(ctx: RunContext, controllerName: string, group: string, kind: string, parentNN: string, listenerNames: string[] | undefined, routeType: string, routeNNs: string[], checkGeneration: boolean): Promise<any[]> {
  const parents = expectedParents(controllerName, group, kind, parentNN, listenerNames);
  const parentNs = splitNN(parentNN).namespace;
  const routes: any[] = [];
  for (const r of routeNNs) {
    routes.push(await routeMustHaveParents(ctx, routeType, r, parents, splitNN(r).namespace !== parentNs, checkGeneration));
  }
  return routes;
}

function hostOnly(addr: string): string {
  const i = addr.lastIndexOf(':');
  const host = i < 0 ? addr : addr.slice(0, i);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** kubernetes.GatewayAndRoutesMustBeAccepted. */
export async function gatewayAndRoutesMustBeAccepted(ctx: RunContext, controllerName: string, gw: any, routeType: string, usePort: boolean, routeNNs: string[]): Promise<string> {
  const addr = await waitForGatewayAddress(ctx, gw);
  await routesAccepted(ctx, controllerName, GROUP, 'Gateway', gw.gateway, gw.listenerNames, routeType, routeNNs ?? [], true);
  await gatewayListenersMustHaveConditions(ctx, gw.gateway, LISTENER_READY);
  return usePort ? addr : hostOnly(addr);
}

const withPort = (routeType: string): OpHandler => (s, ctx) => gatewayAndRoutesMustBeAccepted(ctx, s.controllerName, s.gw, routeType, true, s.routeNNs);

const mustHaveParents = (kind: string, checkGeneration: boolean): OpHandler => async (s, ctx) => {
  const route = await routeMustHaveParents(ctx, kind, s.routeName, s.parents ?? [], Boolean(s.namespaceRequired), checkGeneration);
  return kind === 'TLSRoute' ? route : undefined;
};

const mustHaveCondition = (kind: string, timeoutName: string, fixed?: any): OpHandler => (s, ctx) =>
  routeMustHaveCondition(ctx, kind, timeoutName, s.routeNN, s.gwNN, fixed ?? s.condition);

const RESOLVED = { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' };

/** The route ops, by op name. */
export const routeOps: Record<string, OpHandler> = {
  'kubernetes.GatewayAndRoutesMustBeAccepted': (s, ctx) => gatewayAndRoutesMustBeAccepted(ctx, s.controllerName, s.gw, s.routeType, Boolean(s.usePort), s.routeNNs),
  'kubernetes.GatewayAndHTTPRoutesMustBeAccepted': withPort('HTTPRoute'),
  'kubernetes.GatewayAndTCPRoutesMustBeAccepted': withPort('TCPRoute'),
  'kubernetes.GatewayAndUDPRoutesMustBeAccepted': withPort('UDPRoute'),
  'kubernetes.GatewayAndTLSRoutesMustBeAccepted': async (s, ctx) => {
    const addr = await waitForGatewayAddress(ctx, s.gw);
    const routes = await routesAccepted(ctx, s.controllerName, GROUP, 'Gateway', s.gw.gateway, s.gw.listenerNames, 'TLSRoute', s.routeNNs ?? [], false);
    const last = routes[routes.length - 1];
    return [addr, last?.spec?.hostnames ?? []];
  },
  'kubernetes.RoutesAndParentMustBeAccepted': async (s, ctx) => {
    const res = s.resource ?? {};
    await routesAccepted(ctx, s.controllerName, res.group, res.kind, res.name, res.listenerNames, s.routeType, s.routeNNs ?? [], true);
    if (res.kind === 'Gateway') await gatewayListenersMustHaveConditions(ctx, res.name, LISTENER_READY);
    else if (res.kind === 'ListenerSet') await listenerSetListenersMustHaveConditions(ctx, res.name, LISTENER_READY);
    else throw new StepFailure(`RoutesAndParentMustBeAccepted: unsupported parent kind ${res.kind}`, false);
  },
  'kubernetes.HTTPRouteMustHaveParents': mustHaveParents('HTTPRoute', true),
  'kubernetes.TCPRouteMustHaveParents': mustHaveParents('TCPRoute', true),
  'kubernetes.UDPRouteMustHaveParents': mustHaveParents('UDPRoute', true),
  'kubernetes.TLSRouteMustHaveParents': mustHaveParents('TLSRoute', false),
  'kubernetes.HTTPRouteMustHaveCondition': mustHaveCondition('HTTPRoute', 'HTTPRouteMustHaveCondition'),
  'kubernetes.TLSRouteMustHaveCondition': mustHaveCondition('TLSRoute', 'TLSRouteMustHaveCondition'),
  'kubernetes.TCPRouteMustHaveCondition': mustHaveCondition('TCPRoute', 'TCPRouteMustHaveCondition'),
  'kubernetes.UDPRouteMustHaveCondition': mustHaveCondition('UDPRoute', 'UDPRouteMustHaveCondition'),
  'kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue': mustHaveCondition('HTTPRoute', 'HTTPRouteMustHaveCondition', RESOLVED),
  'kubernetes.TLSRouteMustHaveResolvedRefsConditionsTrue': mustHaveCondition('TLSRoute', 'TLSRouteMustHaveCondition', RESOLVED),
  'kubernetes.HTTPRouteMustHaveNoAcceptedParents': (s, ctx) => routeMustHaveNoAcceptedParents(ctx, 'HTTPRoute', s.routeName),
  'kubernetes.TLSRouteMustHaveNoAcceptedParents': (s, ctx) => routeMustHaveNoAcceptedParents(ctx, 'TLSRoute', s.routeName),
  'kubernetes.TCPRouteMustHaveNoAcceptedParents': (s, ctx) => routeMustHaveNoAcceptedParents(ctx, 'TCPRoute', s.routeName),
  'kubernetes.UDPRouteMustHaveNoAcceptedParents': (s, ctx) => routeMustHaveNoAcceptedParents(ctx, 'UDPRoute', s.routeName),
  'kubernetes.HTTPRouteMustHaveLatestConditions': async (s, ctx) => {
    await poll(pollOpts(ctx, `HTTPRoute ${s.rNN} conditions at latest generation`, 'LatestObservedGenerationSet'), async () => {
      const route = await getGatewayObject(ctx, 'HTTPRoute', s.rNN);
      const ok = (route.status?.parents ?? []).every((p: any) => latestGeneration(route, p?.conditions));
      return ok ? done(undefined) : notYet(`parents ${parentsSummary(route.status?.parents)} not at generation ${route.metadata.generation}`);
    });
  },
};
