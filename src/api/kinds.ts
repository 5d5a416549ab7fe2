/**
 * The kinds Gatehouse stores, with what the store and the admin API need to know about each:
 * where it lives in the REST path space, whether it is namespaced, and which top-level fields are
 * "spec" (a change bumps metadata.generation) as opposed to status.
 */

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** Experimental Gateway API group (XListenerSet and friends before they graduated). */
export const GATEWAY_X_GROUP = 'gateway.networking.x-k8s.io';

export interface KindInfo {
  group: string;
  /** The version objects are stored and served as. */
  version: string;
  kind: string;
  /** Lower-case plural used in REST paths. */
  plural: string;
  namespaced: boolean;
  /** True when the kind has a status subresource (writes to status do not touch spec and vice versa). */
  hasStatus: boolean;
  /** Older apiVersions read as `version`, with a deprecation warning. */
  deprecatedVersions: string[];
  /** True for Gateway API kinds validated against the Gateway API schema. */
  gatewayApi: boolean;
}

function gw(kind: string, plural: string, namespaced: boolean, deprecatedVersions: string[] = []): KindInfo {
  return { group: GATEWAY_GROUP, version: 'v1', kind, plural, namespaced, hasStatus: true, deprecatedVersions, gatewayApi: true };
}
function core(kind: string, plural: string, namespaced: boolean, hasStatus: boolean): KindInfo {
  return { group: '', version: 'v1', kind, plural, namespaced, hasStatus, deprecatedVersions: [], gatewayApi: false };
}

/** Every kind the store accepts. */
export const KINDS: readonly KindInfo[] = [
  gw('GatewayClass', 'gatewayclasses', false, ['v1alpha2', 'v1beta1']),
  gw('Gateway', 'gateways', true, ['v1alpha2', 'v1beta1']),
  gw('HTTPRoute', 'httproutes', true, ['v1alpha2', 'v1beta1']),
  gw('GRPCRoute', 'grpcroutes', true, ['v1alpha2']),
  gw('ListenerSet', 'listenersets', true),
  gw('BackendTLSPolicy', 'backendtlspolicies', true, ['v1alpha3']),
  { ...gw('ReferenceGrant', 'referencegrants', true, ['v1alpha2', 'v1beta1']), hasStatus: false },
  gw('TLSRoute', 'tlsroutes', true, ['v1alpha2', 'v1alpha3']),
  gw('TCPRoute', 'tcproutes', true, ['v1alpha2']),
  gw('UDPRoute', 'udproutes', true, ['v1alpha2']),
  core('Namespace', 'namespaces', false, true),
  core('Service', 'services', true, true),
  { ...core('EndpointSlice', 'endpointslices', true, false), group: 'discovery.k8s.io' },
  core('Endpoints', 'endpoints', true, false),
  core('Secret', 'secrets', true, false),
  core('ConfigMap', 'configmaps', true, false),
  core('Pod', 'pods', true, true),
  { ...core('Deployment', 'deployments', true, true), group: 'apps' },
];

/** The Gateway API route kinds (group GATEWAY_GROUP). */
export const ROUTE_KINDS: ReadonlySet<string> = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

/** True for a Gateway API route kind. */
export function isRouteKind(group: string, kind: string): boolean {
  return group === GATEWAY_GROUP && ROUTE_KINDS.has(kind);
}

const byGroupKind = new Map<string, KindInfo>(KINDS.map((k) => [`${k.group}/${k.kind}`, k]));
const byGroupPlural = new Map<string, KindInfo>(KINDS.map((k) => [`${k.group}/${k.plural}`, k]));

/** Looks a kind up by group and Kind; undefined when Gatehouse does not store it. */
export function kindInfo(group: string, kind: string): KindInfo | undefined {
  return byGroupKind.get(`${group}/${kind}`);
}

/** Looks a kind up by group and REST plural. */
export function kindByPlural(group: string, plural: string): KindInfo | undefined {
  return byGroupPlural.get(`${group}/${plural}`);
}

/** The canonical apiVersion string of a kind. */
export function apiVersionOf(info: KindInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}
