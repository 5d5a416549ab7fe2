/**
 * Schema constraints of the served CRDs that the installed models do not carry (they were
 * generated from an older Gateway API release); checked here so admission matches the CRDs.
 */
import { isIP } from 'node:net';
import { type ErrorList, isObject, listOf } from './types.ts';
import { quote } from './schema.ts';

/** Runs the constraints the models miss, on the raw (undefaulted) spec. */
export function checkExtraSchema(kind: string, spec: any, errs: ErrorList): void {
  if (kind === 'GatewayClass' && typeof spec.description === 'string' && spec.description.length > 64) {
    errs.add(['spec', 'description'], 'Too long: may not be more than 64 bytes');
  }
  if (kind === 'TCPRoute' || kind === 'UDPRoute') {
    // v1 allows a single rule (v1alpha2 allowed 16).
    const n = listOf(spec.rules).length;
    if (n > 1) errs.add(['spec', 'rules'], `Too many: ${n}: must have at most 1 items`);
  }
  if (kind === 'HTTPRoute') {
    listOf(spec.rules).forEach((r, i) => {
      const a = isObject(r) && isObject(r.retry) ? r.retry.attempts : undefined;
      if (typeof a === 'number' && a < 1) {
        errs.add(['spec', 'rules', i, 'retry', 'attempts'], `Invalid value: ${a}: should be greater than or equal to 1`);
      }
    });
  }
  if (kind === 'Gateway') {
    // An IPAddress address (the default type) must hold an IPv4 or IPv6 address when it has a value.
    listOf(spec.addresses).forEach((a, i) => {
      if (!isObject(a) || (a.type ?? 'IPAddress') !== 'IPAddress' || typeof a.value !== 'string') return;
      if (isIP(a.value) === 0) errs.add(['spec', 'addresses', i, 'value'], `Invalid value: ${quote(a.value)}: must be an IPv4 or IPv6 address`);
    });
  }
}
