/**
 * The endpoint controller's pure part: the EndpointSlice a Service with a selector should have,
 * given the running pods. One slice per Service, IPv4, one port per Service port with the
 * Service port's name, protocol and appProtocol and the resolved target port.
 */
import { createHash } from 'node:crypto';
import type { K8sObject } from '../../api/object.ts';
import type { Pod } from '../types.ts';

/** The label tying a slice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The label marking slices this emulation manages. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** Our manager id (the real controller uses endpointslice-controller.k8s.io). */
// A label value: no '/' allowed (Kubernetes' own controllers use e.g. endpointslice-controller.k8s.io).
export const MANAGED_BY = 'conformance-workloads.gatehouse.dev';

/** A running pod with what the endpoint controller needs to know: its container ports. */
export interface EndpointPod extends Pod {
  containerPorts: { name?: string; containerPort: number; protocol?: string }[];
}

/** True when every selector label is on the pod (an empty selector selects nothing, as for Services). */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The managed slice's name: `<service>-<5 stable chars>`. */
export function sliceName(service: K8sObject): string {
  const h = createHash('sha256').update(`${service.metadata.namespace}/${service.metadata.name}`).digest('hex').slice(0, 5);
  return `${service.metadata.name}-${h}`;
}

/** The target port number of a Service port for one pod (named ports looked up in its containers). */
function targetPortFor(sp: any, pod: EndpointPod | undefined): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(String(tp))) return Number(tp);
  const named = pod?.containerPorts.find((p) => p.name === tp && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
  return named?.containerPort;
}

/** The EndpointSlice a selector Service should have now; undefined for Services without a selector. */
export function desiredSlice(service: K8sObject, pods: readonly EndpointPod[]): K8sObject | undefined {
  const selector = service.spec?.selector as Record<string, string> | undefined;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  const ns = service.metadata.namespace ?? '';
  const selected = pods.filter((p) => p.namespace === ns && selects(selector, p.labels)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const ports = ((service.spec?.ports ?? []) as any[]).flatMap((sp) => {
    const port = targetPortFor(sp, selected[0]);
    if (port === undefined) return [];
    return [{ name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port, ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) }];
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceName(service),
      namespace: ns,
      labels: { [SERVICE_NAME_LABEL]: service.metadata.name, [MANAGED_BY_LABEL]: MANAGED_BY },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.metadata.name, uid: String(service.metadata.uid ?? ''), controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints: selected.map((p) => ({
      addresses: [p.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'gatehouse',
      targetRef: { kind: 'Pod', namespace: p.namespace, name: p.name },
    })),
    ports,
  };
}
