/**
 * Gateway and ListenerSet validation rules: listener protocol/tls/hostname agreement, unique
 * listener names and port/protocol/hostname combinations, addresses, infrastructure metadata keys.
 */
import { type ErrorList, type PathStep, isObject, listOf } from './types.ts';

/** Reason texts of Gateway and ListenerSet rules. */
export const GATEWAY_REASON = {
  tlsNotAllowed: 'tls must not be set for HTTP, TCP or UDP listeners',
  httpsNeedsTerminate: 'tls.mode must be Terminate for an HTTPS listener',
  tlsNeedsMode: 'tls.mode is required for a TLS listener',
  hostnameNotAllowed: 'hostname must not be set for TCP or UDP listeners',
  duplicateName: 'listener names must be unique',
  duplicateCombination: 'each listener needs a distinct combination of port, protocol and hostname',
  terminateNeedsCert: 'certificateRefs or options are required when mode is Terminate',
  duplicatePerPort: 'each port may have only one TLS configuration',
  duplicateIP: 'IPAddress values must be unique',
  duplicateHostname: 'Hostname values must be unique',
  badAddressHostname: 'a Hostname address must be a lower-case DNS name, optionally starting with "*."',
  badMetadataKey: 'keys must be an optional DNS subdomain prefix and "/", then a name of up to 63 characters',
  longKeyPrefix: 'the key prefix must be shorter than 253 characters',
} as const;

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const META_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;

/** Runs every Gateway rule on a defaulted spec. */
export function checkGateway(spec: any, errs: ErrorList): void {
  checkListeners(spec.listeners, ['spec', 'listeners'], false, errs);
  checkAddresses(spec.addresses, errs);
  if (isObject(spec.infrastructure)) {
    for (const field of ['labels', 'annotations']) {
      if (isObject(spec.infrastructure[field])) checkKeys(spec.infrastructure[field], ['spec', 'infrastructure', field], errs);
    }
  }
  const perPort = listOf(spec.tls?.frontend?.perPort).filter(isObject);
  if (perPort.some((a) => perPort.filter((b) => b.port === a.port).length !== 1)) {
    errs.add(['spec', 'tls', 'frontend', 'perPort'], GATEWAY_REASON.duplicatePerPort);
  }
}

/** Runs every ListenerSet rule on a defaulted spec. */
export function checkListenerSet(spec: any, errs: ErrorList): void {
  checkListeners(spec.listeners, ['spec', 'listeners'], true, errs);
}

/** `portOptional`: ListenerSet listeners without a port are left out of the combination check. */
function checkListeners(listeners: unknown, path: PathStep[], portOptional: boolean, errs: ErrorList): void {
  const list = listOf(listeners).filter(isObject);
  const has = (l: any, f: string): boolean => l[f] !== undefined;
  if (list.some((l) => ['HTTP', 'TCP', 'UDP'].includes(l.protocol) && has(l, 'tls'))) errs.add(path, GATEWAY_REASON.tlsNotAllowed);
  if (list.some((l) => l.protocol === 'HTTPS' && isObject(l.tls) && l.tls.mode !== '' && l.tls.mode !== 'Terminate')) {
    errs.add(path, GATEWAY_REASON.httpsNeedsTerminate);
  }
  if (list.some((l) => l.protocol === 'TLS' && !(isObject(l.tls) && l.tls.mode !== undefined && l.tls.mode !== ''))) {
    errs.add(path, GATEWAY_REASON.tlsNeedsMode);
  }
  if (list.some((l) => ['TCP', 'UDP'].includes(l.protocol) && l.hostname !== undefined && l.hostname !== '')) {
    errs.add(path, GATEWAY_REASON.hostnameNotAllowed);
  }
  if (list.some((a) => list.filter((b) => b.name === a.name).length !== 1)) errs.add(path, GATEWAY_REASON.duplicateName);
  // An absent hostname and an empty one are different here, exactly as upstream compares them.
  const combo = (l: any): string => JSON.stringify([l.port, l.protocol, has(l, 'hostname') ? l.hostname : null, has(l, 'hostname')]);
  const counted = portOptional ? list.filter((l) => has(l, 'port')) : list;
  if (counted.some((a) => counted.filter((b) => combo(b) === combo(a)).length !== 1)) {
    errs.add(path, GATEWAY_REASON.duplicateCombination);
  }
  listOf(listeners).forEach((l, i) => {
    if (!isObject(l) || !isObject(l.tls) || l.tls.mode !== 'Terminate') return;
    const certs = listOf(l.tls.certificateRefs).length;
    const opts = isObject(l.tls.options) ? Object.keys(l.tls.options).length : 0;
    if (certs === 0 && opts === 0) errs.add([...path, i, 'tls'], GATEWAY_REASON.terminateNeedsCert);
  });
}

function checkAddresses(addresses: unknown, errs: ErrorList): void {
  const list = listOf(addresses).filter(isObject);
  for (const [type, reason] of [['IPAddress', GATEWAY_REASON.duplicateIP], ['Hostname', GATEWAY_REASON.duplicateHostname]]) {
    const values = list.filter((a) => a.type === type && a.value !== undefined).map((a) => a.value);
    if (new Set(values).size !== values.length) errs.add(['spec', 'addresses'], reason);
  }
  listOf(addresses).forEach((a, i) => {
    if (isObject(a) && a.type === 'Hostname' && typeof a.value === 'string' && !HOSTNAME.test(a.value)) {
      errs.add(['spec', 'addresses', i], GATEWAY_REASON.badAddressHostname);
    }
  });
}

function checkKeys(map: Record<string, unknown>, path: PathStep[], errs: ErrorList): void {
  const keys = Object.keys(map);
  if (keys.some((k) => !META_KEY.test(k))) errs.add(path, GATEWAY_REASON.badMetadataKey);
  if (keys.some((k) => k.split('/')[0].length >= 253)) errs.add(path, GATEWAY_REASON.longKeyPrefix);
}
