/**
 * Hand-written `custom` steps that are not about sending requests: GatewayInfrastructure's check
 * of generated resources and HTTPRouteServiceTypes' manual EndpointSlices.
 */
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminError } from '../../cli/client.ts';
import { StepFailure, type CustomHandler, type RunContext, type Step } from '../types.ts';
import type { K8sObject } from '../../api/object.ts';
import { durationArg, type HarnessContext } from '../runner/context.ts';
import { splitNN } from './match.ts';
import { messageOf } from './poll.ts';

const KIND_VERSIONS: Record<string, string> = { ServiceAccount: 'v1', Pod: 'v1', Service: 'v1' };

async function listKind(ctx: RunContext, kind: string, ns: string, selector: string): Promise<K8sObject[]> {
  try {
    return await ctx.admin.list(KIND_VERSIONS[kind] ?? 'v1', kind, ns, selector);
  } catch (err) {
    // A kind the admin API does not serve at all (standalone Gatehouse has no ServiceAccounts)
    // is an empty list, not a failure; every other error aborts the poll as in Go.
    if ((err instanceof AdminError && err.code === 404) || /unknown kind/.test(messageOf(err))) return [];
    throw new StepFailure(`listing ${kind} in ${ns}: ${messageOf(err)}`);
  }
}

function missingSubset(actual: Record<string, string> | undefined, expected: Record<string, string> | undefined): string[] {
  return Object.entries(expected ?? {}).filter(([k, v]) => actual?.[k] !== v).map(([k, v]) => `${k}=${v}`);
}

/** GatewayInfrastructure: generated ServiceAccount/Pod/Service carry the infrastructure metadata. */
export const gatewayInfrastructure: CustomHandler = async (step, ctx) => {
  const d = step.data ?? {};
  const timeoutMs = durationArg(d as Step, ctx, 'timeout', 60_000);
  const intervalMs = durationArg(d as Step, ctx, 'pollInterval', 100);
  const deadline = Date.now() + timeoutMs;
  let lists: Record<string, K8sObject[]> = {};
  for (;;) {
    lists = {};
    for (const kind of d.kinds as string[]) lists[kind] = await listKind(ctx, kind, d.namespace, d.labelSelector);
    if (Object.values(lists).some((l) => l.length > 0)) break;
    if (Date.now() + intervalMs > deadline) throw new StepFailure('expected to find a ServiceAccount, Pod, or Service with the gateway-name label');
    await sleep(intervalMs);
  }
  // The live Gateway's spec.infrastructure (saved earlier) is the expectation; the literals are the manifest's.
  const labels = typeof d.expectedLabelsSubsetSource === 'object' && d.expectedLabelsSubsetSource ? d.expectedLabelsSubsetSource : d.expectedLabelsSubset;
  const annotations = typeof d.expectedAnnotationsSubsetSource === 'object' && d.expectedAnnotationsSubsetSource ? d.expectedAnnotationsSubsetSource : d.expectedAnnotationsSubset;
  for (const [kind, list] of Object.entries(lists)) {
    const first = list[0];
    if (!first) continue;
    const missL = missingSubset(first.metadata.labels, labels);
    const missA = missingSubset(first.metadata.annotations, annotations);
    if (missL.length || missA.length) {
      throw new StepFailure(`${kind} ${first.metadata.name} lacks labels [${missL.join(', ')}] annotations [${missA.join(', ')}]`);
    }
  }
};

function podIPs(pod: K8sObject): string[] {
  const list: string[] = (pod.status?.podIPs ?? []).map((p: any) => p?.ip).filter((ip: unknown) => typeof ip === 'string');
  if (list.length === 0 && typeof pod.status?.podIP === 'string') list.push(pod.status.podIP);
  return list;
}

async function listDeploymentPods(step: Step, ctx: RunContext): Promise<K8sObject[]> {
  const { namespace, name } = splitNN(step.data.deployment);
  let dep: K8sObject;
  try {
    dep = await ctx.admin.get('apps/v1', 'Deployment', namespace, name);
  } catch (err) {
    throw new StepFailure(`getting Deployment ${step.data.deployment}: ${messageOf(err)}`);
  }
  const matchLabels: Record<string, string> = dep.spec?.selector?.matchLabels ?? {};
  const selector = Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
  let pods: K8sObject[];
  try {
    pods = await ctx.admin.list('v1', 'Pod', step.data.podNamespace, selector || undefined);
  } catch (err) {
    throw new StepFailure(`listing Pods for ${step.data.deployment}: ${messageOf(err)}`);
  }
  if (pods.length === 0) throw new StepFailure(`no Pods match Deployment ${step.data.deployment} (${selector})`);
  return pods;
}

async function fillEndpointSlices(step: Step, ctx: RunContext): Promise<void> {
  const d = step.data;
  // The pods come from the previous custom step's $pods, which data does not repeat.
  const saved = Array.isArray(d.pods) ? d.pods : (ctx as Partial<HarnessContext>).saved?.('pods');
  const pods: K8sObject[] = Array.isArray(saved) ? saved : [];
  if (pods.length === 0) throw new StepFailure('harness: no $pods saved before setupEndpointSlices');
  for (const sliceName of d.endpointSlicesInOrder as string[]) {
    const family = sliceName.endsWith('ip6') ? 6 : 4;
    try {
      await ctx.admin.get('discovery.k8s.io/v1', 'EndpointSlice', d.namespace, sliceName);
    } catch (err) {
      throw new StepFailure(`getting EndpointSlice ${d.namespace}/${sliceName}: ${messageOf(err)}`);
    }
    const endpoints = [];
    for (const pod of pods) {
      for (const ip of podIPs(pod)) {
        const fam = isIP(ip);
        if (fam === 0) throw new StepFailure(`Pod ${pod.metadata.name} has an invalid IP ${JSON.stringify(ip)}`);
        if (fam !== family) continue;
        endpoints.push({
          addresses: [ip],
          conditions: { ready: true, serving: true, terminating: false },
          nodeName: pod.spec?.nodeName,
          targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        });
      }
    }
    if (endpoints.length === 0) continue;
    try {
      await ctx.admin.patch('discovery.k8s.io/v1', 'EndpointSlice', d.namespace, sliceName, { endpoints });
    } catch (err) {
      throw new StepFailure(`patching EndpointSlice ${d.namespace}/${sliceName}: ${messageOf(err)}`);
    }
  }
}

/** HTTPRouteServiceTypes: list the backend's Pods, then fill the manual EndpointSlices with their IPs. */
export const httpRouteServiceTypes: CustomHandler = async (step, ctx) => {
  if (step.data?.deployment) return listDeploymentPods(step, ctx);
  if (step.data?.endpointSlicesInOrder) return fillEndpointSlices(step, ctx);
  throw new StepFailure('harness: unrecognised custom step in HTTPRouteServiceTypes');
};

/** The non-request custom handlers, by test name. */
export const harnessCustomHandlers: Record<string, CustomHandler> = {
  GatewayInfrastructure: gatewayInfrastructure,
  HTTPRouteServiceTypes: httpRouteServiceTypes,
};
