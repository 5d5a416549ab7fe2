/**
 * Light checks for the core kinds Gatehouse reads (Service, EndpointSlice, Secret, ...): the fields
 * Gatehouse relies on are present and of the right type, and no unknown top-level field slips by.
 * Full core validation is the API server's business; these catch the mistakes that would
 * otherwise surface as a silently missing backend.
 */
import { type ErrorList, type PathStep, isObject, listOf } from './types.ts';
import { quote } from './schema.ts';
import { didYouMean } from './did-you-mean.ts';

/** Top-level fields each core kind may carry besides apiVersion, kind and metadata. */
export const CORE_TOP_LEVEL: Readonly<Record<string, readonly string[]>> = {
  Namespace: ['spec', 'status'],
  Service: ['spec', 'status'],
  EndpointSlice: ['addressType', 'endpoints', 'ports'],
  Endpoints: ['subsets'],
  Secret: ['data', 'stringData', 'type', 'immutable'],
  ConfigMap: ['data', 'binaryData', 'immutable'],
  Pod: ['spec', 'status'],
  Deployment: ['spec', 'status'],
};

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];

/** Runs the checks of a core kind. */
export function checkCore(obj: any, errs: ErrorList): void {
  switch (obj.kind) {
    case 'Service':
      return checkService(obj.spec, errs);
    case 'EndpointSlice':
      return checkEndpointSlice(obj, errs);
    case 'Endpoints':
      listOf(obj.subsets).forEach((s, i) => {
        listOf(s?.addresses).forEach((a, j) => requireString(a?.ip, ['subsets', i, 'addresses', j, 'ip'], errs));
        listOf(s?.ports).forEach((p, j) => checkPort(p?.port, ['subsets', i, 'ports', j, 'port'], errs));
      });
      return;
    case 'Secret':
    case 'ConfigMap':
      for (const f of ['data', 'stringData', 'binaryData']) checkStringMap(obj[f], [f], errs);
      return;
    case 'Pod':
      if (!isObject(obj.spec) || listOf(obj.spec.containers).length === 0) errs.add(['spec', 'containers'], 'Required value');
      listOf(obj.spec?.containers).forEach((c, i) => {
        requireString(c?.name, ['spec', 'containers', i, 'name'], errs);
        requireString(c?.image, ['spec', 'containers', i, 'image'], errs);
      });
      return;
    case 'Deployment':
      if (!isObject(obj.spec?.selector)) errs.add(['spec', 'selector'], 'Required value');
      if (!isObject(obj.spec?.template)) errs.add(['spec', 'template'], 'Required value');
      return;
  }
}

function checkService(spec: any, errs: ErrorList): void {
  if (spec === undefined) return;
  if (!isObject(spec)) return errs.add(['spec'], `Invalid value: ${quote(spec)}: must be of type object`);
  if (spec.type !== undefined) checkEnum(spec.type, SERVICE_TYPES, ['spec', 'type'], errs);
  if (spec.type === 'ExternalName') requireString(spec.externalName, ['spec', 'externalName'], errs);
  checkStringMap(spec.selector, ['spec', 'selector'], errs);
  listOf(spec.ports).forEach((p, i) => {
    const path = ['spec', 'ports', i];
    if (!isObject(p)) return errs.add(path, `Invalid value: ${quote(p)}: must be of type object`);
    checkPort(p.port, [...path, 'port'], errs);
    if (p.protocol !== undefined) checkEnum(p.protocol, PROTOCOLS, [...path, 'protocol'], errs);
    const tp = p.targetPort;
    if (tp !== undefined && typeof tp !== 'string') checkPort(tp, [...path, 'targetPort'], errs);
  });
  if (spec.type !== 'ExternalName' && listOf(spec.ports).length === 0 && spec.ports !== undefined) {
    errs.add(['spec', 'ports'], 'Required value');
  }
}

function checkEndpointSlice(obj: any, errs: ErrorList): void {
  if (obj.addressType === undefined) errs.add(['addressType'], 'Required value');
  else checkEnum(obj.addressType, ADDRESS_TYPES, ['addressType'], errs);
  listOf(obj.endpoints).forEach((e, i) => {
    const addrs = e?.addresses;
    if (!Array.isArray(addrs) || addrs.length === 0) errs.add(['endpoints', i, 'addresses'], 'Required value');
    listOf(addrs).forEach((a, j) => requireString(a, ['endpoints', i, 'addresses', j], errs));
  });
  listOf(obj.ports).forEach((p, i) => {
    if (p?.port !== undefined) checkPort(p.port, ['ports', i, 'port'], errs);
    if (p?.protocol !== undefined) checkEnum(p.protocol, PROTOCOLS, ['ports', i, 'protocol'], errs);
  });
}

function checkPort(v: unknown, path: PathStep[], errs: ErrorList): void {
  if (v === undefined) return errs.add(path, 'Required value');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    errs.add(path, `Invalid value: ${quote(v)}: must be between 1 and 65535, inclusive`);
  }
}

function requireString(v: unknown, path: PathStep[], errs: ErrorList): void {
  if (v === undefined || v === '') errs.add(path, 'Required value');
  else if (typeof v !== 'string') errs.add(path, `Invalid value: ${quote(v)}: must be of type string`);
}

function checkEnum(v: unknown, allowed: readonly string[], path: PathStep[], errs: ErrorList): void {
  if (typeof v !== 'string' || !allowed.includes(v)) {
    const hint = typeof v === 'string' ? didYouMean(v, allowed) : undefined;
    const list = allowed.map((a) => JSON.stringify(a)).join(', ');
    errs.add(path, `Unsupported value: ${quote(v)}: supported values: ${list}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`);
  }
}

function checkStringMap(v: unknown, path: PathStep[], errs: ErrorList): void {
  if (v === undefined) return;
  if (!isObject(v)) return errs.add(path, `Invalid value: ${quote(v)}: must be a map of strings`);
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') errs.add([...path, k], `Invalid value: ${quote(val)}: must be of type string`);
  }
}
