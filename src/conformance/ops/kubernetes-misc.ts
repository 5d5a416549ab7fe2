/**
 * kubernetes.* ops about ListenerSets, BackendTLSPolicies, namespace readiness and the generated
 * Secrets/ConfigMaps (helpers §1).
 */
import { StepFailure, type OpHandler, type RunContext } from '../types.ts';
import { findCondition, latestGeneration, listenersMismatch, splitNN, summarize } from './match.ts';
import { done, getGatewayObject, messageOf, notYet, poll, pollOpts, tryGetGatewayObject } from './poll.ts';
import { listenersHaveConditions } from './kubernetes-gateway.ts';
import { storedApiVersion } from '../../cli/client.ts';
import { GATEWAY_GROUP } from '../../api/kinds.ts';

const SKIP_READINESS_ANNOTATION = 'gateway-api/skip-this-for-readiness';

/** kubernetes.ListenerSetListenersMustHaveConditions. */
export async function listenerSetListenersMustHaveConditions(ctx: RunContext, lsName: string, conditions: any[], listenerNames?: string[]): Promise<void> {
  await poll(pollOpts(ctx, `ListenerSet ${lsName} listeners ${summarize(conditions)}`, 'ListenerSetListenersMustHaveConditions'), async () => {
    const { obj: ls, why } = await tryGetGatewayObject(ctx, 'ListenerSet', lsName);
    if (!ls) return notYet(why);
    if (!latestGeneration(ls, ls.status?.conditions)) return notYet('ListenerSet conditions not at latest generation');
    return listenersHaveConditions(ls.status?.listeners, conditions, listenerNames);
  });
}

/** Whether a Pod counts as ready for NamespacesMustBeReady. */
export function podReady(pod: any): boolean {
  if (pod?.metadata?.deletionTimestamp) return true;
  if (pod?.status?.phase === 'Succeeded') return true;
  return findCondition(pod?.status?.conditions, 'Ready', 'True');
}

async function podsReady(ctx: RunContext, ns: string): Promise<string> {
  const pods = await ctx.admin.list('v1', 'Pod', ns);
  if (pods.length === 0) return `no Pods in ${ns}`;
  const notReady = pods.filter((p) => !podReady(p)).map((p) => p.metadata.name);
  return notReady.length ? `Pods not ready in ${ns}: ${notReady.join(', ')}` : '';
}

async function gatewaysReady(ctx: RunContext, ns: string): Promise<string> {
  const gws = await ctx.admin.list(storedApiVersion(GATEWAY_GROUP, 'Gateway'), 'Gateway', ns);
  for (const gw of gws) {
    if (gw.metadata.annotations?.[SKIP_READINESS_ANNOTATION] === 'true') continue;
    const conds = gw.status?.conditions;
    const name = `${ns}/${gw.metadata.name}`;
    if (!latestGeneration(gw, conds)) return `Gateway ${name} conditions not at latest generation`;
    if (!findCondition(conds, 'Accepted', 'True') || !findCondition(conds, 'Programmed', 'True')) return `Gateway ${name} conditions ${summarize(conds)}`;
  }
  return '';
}

/** NamespacesMustBeReady (withGateways) and MeshNamespacesMustBeReady (Pods only). */
export async function namespacesMustBeReady(ctx: RunContext, namespaces: string[], withGateways: boolean): Promise<void> {
  await poll(pollOpts(ctx, `namespaces ${namespaces.join(', ')} ready`, 'NamespacesMustBeReady'), async () => {
    for (const ns of namespaces) {
      try {
        const why = (withGateways ? await gatewaysReady(ctx, ns) : '') || (await podsReady(ctx, ns));
        if (why) return notYet(why);
      } catch (err) {
        ctx.log(`NamespacesMustBeReady: listing in ${ns} failed: ${messageOf(err)}`);
        return notYet(`listing in ${ns} failed: ${messageOf(err)}`);
      }
    }
    return done(undefined);
  });
}

/** Decodes one Secret data entry (base64 in `data`, plain in `stringData`); "" when absent. */
export function secretValue(secret: any, key: string): string {
  const plain = secret?.stringData?.[key];
  if (typeof plain === 'string') return plain;
  const enc = secret?.data?.[key];
  return typeof enc === 'string' ? Buffer.from(enc, 'base64').toString('utf8') : '';
}

async function getWithLimit<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** BackendTLSPolicyMustHaveCondition: walk status.ancestors in order (helpers §1). */
async function backendTLSPolicyMustHaveCondition(ctx: RunContext, policyNN: string, gwNN: string, cond: any): Promise<void> {
  const gw = splitNN(gwNN);
  await poll(pollOpts(ctx, `BackendTLSPolicy ${policyNN} condition ${summarize([cond])} for Gateway ${gwNN}`, 'HTTPRouteMustHaveCondition'), async () => {
    const policy = await getGatewayObject(ctx, 'BackendTLSPolicy', policyNN);
    for (const a of policy.status?.ancestors ?? []) {
      if (!latestGeneration(policy, a?.conditions)) return notYet('ancestor conditions not at latest generation');
      const ref = a?.ancestorRef ?? {};
      if (ref.name === gw.name && (!ref.namespace || ref.namespace === gw.namespace) && findCondition(a?.conditions, cond?.type, cond?.status, cond?.reason)) return done(undefined);
    }
    return notYet(`ancestors ${JSON.stringify((policy.status?.ancestors ?? []).map((a: any) => ({ ancestorRef: a?.ancestorRef, conditions: summarize(a?.conditions) })))}`);
  });
}

/** The ListenerSet, BackendTLSPolicy, readiness and Secret/ConfigMap ops, by op name. */
export const miscOps: Record<string, OpHandler> = {
  'kubernetes.ListenerSetMustHaveCondition': async (s, ctx) => {
    const c = s.expectedCondition ?? {};
    await poll(pollOpts(ctx, `ListenerSet ${s.lsNN} condition ${summarize([c])}`, 'ListenerSetMustHaveCondition'), async () => {
      const { obj: ls, why } = await tryGetGatewayObject(ctx, 'ListenerSet', s.lsNN);
      if (!ls) return notYet(why);
      const conds = ls.status?.conditions;
      if (!latestGeneration(ls, conds)) return notYet('ListenerSet conditions not at latest generation');
      return findCondition(conds, c.type, c.status, c.reason) ? done(undefined) : notYet(`conditions ${summarize(conds)}`);
    });
  },
  'kubernetes.ListenerSetListenersMustHaveConditions': (s, ctx) => listenerSetListenersMustHaveConditions(ctx, s.lsName, s.conditions ?? [], s.listenerNames),
  'kubernetes.ListenerSetStatusMustHaveListeners': async (s, ctx) => {
    await poll(pollOpts(ctx, `ListenerSet ${s.lsNN} listener status`, 'ListenerSetListenersMustHaveConditions'), async () => {
      const ls = await getGatewayObject(ctx, 'ListenerSet', s.lsNN);
      if (!latestGeneration(ls, ls.status?.conditions)) return notYet('ListenerSet conditions not at latest generation');
      const why = listenersMismatch(s.listeners ?? [], ls.status?.listeners);
      return why ? notYet(why) : done(undefined);
    });
  },
  'kubernetes.BackendTLSPolicyMustHaveCondition': (s, ctx) => backendTLSPolicyMustHaveCondition(ctx, s.policyNN, s.gwNN, s.condition),
  'kubernetes.BackendTLSPolicyMustHaveAcceptedConditionTrue': (s, ctx) =>
    backendTLSPolicyMustHaveCondition(ctx, s.policyNN, s.gwNN, { type: 'Accepted', status: 'True', reason: 'Accepted' }),
  'kubernetes.NamespacesMustBeReady': (s, ctx) => namespacesMustBeReady(ctx, s.namespaces ?? [], true),
  'kubernetes.MeshNamespacesMustBeReady': (s, ctx) => namespacesMustBeReady(ctx, s.namespaces ?? [], false),
  'kubernetes.GetTLSSecret': async (s, ctx) => {
    const { namespace, name } = splitNN(s.secretName);
    try {
      const secret = await getWithLimit(`GET Secret ${s.secretName}`, 10_000, ctx.admin.get('v1', 'Secret', namespace, name));
      return [secretValue(secret, 'tls.crt'), secretValue(secret, 'tls.key')];
    } catch (err) {
      // Go returns the error and the next (custom) step fails fatally on it; same outcome here.
      throw new StepFailure(`unexpected error finding TLS secret ${s.secretName}: ${messageOf(err)}`);
    }
  },
  'kubernetes.GetConfigMapData': async (s, ctx) => {
    const { namespace, name } = splitNN(s.name);
    try {
      const cm = await getWithLimit(`GET ConfigMap ${s.name}`, ctx.timeouts.GetTimeout ?? 10_000, ctx.admin.get('v1', 'ConfigMap', namespace, name));
      return cm.data ?? {};
    } catch (err) {
      throw new StepFailure(`error fetching ConfigMap ${s.name}: ${messageOf(err)}`);
    }
  },
};
